"""How many seats one order may hold. Every entry point (review page, checkout, recommender, role pages)
reads these two numbers, so the limit cannot drift between them."""

MIN_SEATS = 1
MAX_SEATS = 50
# A team (an order and the seats added to it later, each added purchase at most MAX_SEATS) holds at most
# this many seats of one product; beyond it the academy sets the order up by hand.
MAX_TEAM_SEATS = 200
# The smallest order the storefront calls a team purchase.
MIN_TEAM_SEATS = 2
# What the team pages and the recommender suggest before the buyer says how many people they train.
SUGGESTED_TEAM_SEATS = 5


def seat_range_text() -> str:
    return f"from {MIN_SEATS} to {MAX_SEATS}"
