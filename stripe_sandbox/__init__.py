"""A local Stripe sandbox: the fake Stripe API the test suite uses (fake.py), a payment page with test card
buttons (hosted.py, buyer.py) and signed webhook delivery (webhooks.py). `make run` starts it with
`python -m stripe_sandbox` when no Stripe key is set. It imports no app of the shop, only the standard
library and the stripe library (whose parameter types it checks requests against)."""
