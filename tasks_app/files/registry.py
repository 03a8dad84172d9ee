"""Generator type name → module (each module has ``validate`` and ``generate``)."""

from tasks_app.files import base64, pdf, plaintext, url
from tasks_app.files import zip as zip_generator

GENERATORS = {"base64": base64, "pdf": pdf, "plaintext": plaintext, "url": url, "zip": zip_generator}
