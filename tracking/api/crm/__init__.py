"""CRM feeds: amoCRM, Bitrix24 and HubSpot post their deal-stage changes here, and each change
counts towards the weekly value of the funnel-stage metric its stage is mapped to.

A package of the public API's layer (`tracking.api` in tests/test_architecture.py): like the
API it writes a weekly value through the toolkit's `value_record`, and only the wiring above it
(the project's urls.py) imports it. Its models belong to the `api` app and its migrations.

- models.py: the business's connection (provider, encrypted secret, the key of its inbound
  URL), its stage mapping, and every event received (de-duplicated, mapped or kept for review);
- adapters.py: each provider's payload read and its secret checked, into `IncomingEvent`s;
- services.py: the writes (the connection, the mapping, the events and the weekly counts);
- selectors.py, access.py, forms.py, views.py, urls.py: the settings pages and the inbound URLs.
"""
