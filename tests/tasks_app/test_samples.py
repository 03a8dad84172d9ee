"""Hub's own sample event data: one file per topic, shaped like Shopify's published examples."""

import json

import pytest

from tasks_app.preview import load_sample
from tests.conftest import WEBHOOKS_DIR

EXAMPLES = sorted(WEBHOOKS_DIR.glob("*.json"))


def test_the_24_published_topics_are_all_there():
    assert len(EXAMPLES) == 24


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_published_topic_has_a_sample_with_its_top_level_fields(example):
    topic = "shopify/" + example.stem.replace("-", "/", 1)

    found, sample = load_sample(topic)

    assert found, f"no sample for {topic}"
    published = json.loads(example.read_text())
    assert set(published) <= set(sample), f"{topic}: missing {sorted(set(published) - set(sample))}"
    assert sample != published, f"{topic}: the sample must be Hub's own data, not Shopify's example"
