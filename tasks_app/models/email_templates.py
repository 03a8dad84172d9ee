"""Email templates: named Liquid layouts an email action renders its message with (spec/platform.md §3.5)."""

from django.core.validators import RegexValidator
from django.db import models

DEFAULT_TEMPLATE = "default"
validate_template_name = RegexValidator(
    r"^\S(.*\S)?\Z", "Template names are not blank and have no surrounding spaces."
)


class EmailTemplate(models.Model):
    """A shop's named email template.

    ``body`` is Liquid rendered with every option of the email action as a
    variable (``subject``, ``body``, custom keys) plus ``shop``; its output is
    the message's final HTML. An email action that names no template uses the
    one called ``default`` when the shop has it.
    """

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="email_templates")
    name = models.CharField(max_length=255, validators=[validate_template_name])
    body = models.TextField(help_text="Liquid; {{ body }} is the email action's HTML body.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shop", "name"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="unique_email_template_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_action(cls, shop, name: str | None) -> "EmailTemplate | None":
        """The template an email action uses: ``name`` when given, else ``default`` if it exists.

        Raises ``EmailTemplate.DoesNotExist`` for a named template the shop does not have.
        """
        if name is not None:
            return cls.objects.get(shop=shop, name=name)
        return cls.objects.filter(shop=shop, name=DEFAULT_TEMPLATE).first()
