"""``recording``: sent by ``audit_record`` inside the transaction of the change it records, before
the event is written. Receivers keep derived public data (the transparency projection, the OCDS
releases) in step with the change: they commit or roll back with it. Keyword arguments: ``action``,
``obj`` (the model instance, or None), ``object_type``, ``object_id``, ``occurred_at``, ``actor``.
"""

from django.dispatch import Signal

recording = Signal()
