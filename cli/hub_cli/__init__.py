"""hub-cli: the command-line client of Hub's task sync API (spec/platform.md §8.4). It needs only
``requests``: no Django, no database."""
