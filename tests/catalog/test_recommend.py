import pytest

from catalog.recommend import Role, Seniority, recommend


@pytest.mark.parametrize("seniority", list(Seniority))
def test_coordinators_and_assistants_start_with_level_i(seniority):
    assert recommend(role=Role.COORDINATOR, seniority=seniority).product_slug == "level-i"


@pytest.mark.parametrize("seniority", [Seniority.MID, Seniority.SENIOR])
def test_producers_moving_up_get_the_bundle_as_best_value(seniority):
    result = recommend(role=Role.PRODUCER, seniority=seniority)

    assert result.product_slug == "bundle"
    assert result.alternative_slug == "level-ii"


def test_producers_get_level_ii_when_the_bundle_saves_nothing():
    result = recommend(role=Role.PRODUCER, seniority=Seniority.MID, bundle_saves=False)

    assert result.product_slug == "level-ii"
    assert "value" not in result.reason


def test_early_career_producers_start_with_level_i():
    assert recommend(role=Role.PRODUCER, seniority=Seniority.EARLY).product_slug == "level-i"


@pytest.mark.parametrize("seniority", [Seniority.EARLY, Seniority.MID])
def test_post_coordinators_and_supervisors_get_level_i(seniority):
    result = recommend(role=Role.POST, seniority=seniority)

    assert result.product_slug == "level-i"
    assert result.alternative_slug == "level-ii"


def test_senior_post_roles_get_level_ii():
    assert recommend(role=Role.POST, seniority=Seniority.SENIOR).product_slug == "level-ii"


def test_head_of_production_buying_alone_gets_level_ii():
    result = recommend(role=Role.HEAD, seniority=Seniority.SENIOR)

    assert result.product_slug == "level-ii"
    assert result.alternative_slug == "bundle"


@pytest.mark.parametrize("role", list(Role))
def test_anyone_buying_for_a_team_gets_bundle_seats(role):
    result = recommend(role=role, seniority=Seniority.SENIOR, for_team=True, seats=8)

    assert result.product_slug == "bundle"
    assert result.seats == 8


def test_seats_are_dropped_when_buying_alone():
    assert recommend(role=Role.HEAD, seniority=Seniority.SENIOR, seats=8).seats is None


@pytest.mark.parametrize("role", list(Role))
def test_team_buyers_get_the_bundle_even_when_it_saves_nothing(role):
    # Teams want every seat on both levels and the shared AI Kit, whatever the price comparison says.
    result = recommend(role=role, seniority=Seniority.MID, for_team=True, seats=3, bundle_saves=False)

    assert (result.product_slug, result.for_team, result.seats) == ("bundle", True, 3)


def test_coordinators_are_pointed_on_to_the_bundle():
    result = recommend(role=Role.COORDINATOR, seniority=Seniority.EARLY)

    assert result.alternative_slug == "bundle"
    assert not result.for_team


def test_early_producers_are_pointed_on_to_the_bundle():
    assert recommend(role=Role.PRODUCER, seniority=Seniority.EARLY).alternative_slug == "bundle"
