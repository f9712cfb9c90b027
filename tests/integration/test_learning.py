"""Routing learns from what the office routed; the model is stored and survives a restart."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from bot.config import parse_config
from bot.routing import Router
from bot.services import Services
from bot.services.learning import load_model, refresh_model, retrain
from storage.models import RoutingModel
from tests.conftest import demo_config_data
from tests.integration.helpers import DISPATCHER, count, number_in, report_request, route

# Texts no keyword decides (made-up names), as the office would route them.
ROUTED = [("卫星锅砸到自行车棚上了", "property"),
          ("楼顶卫星锅没人管", "property"),
          ("卫星锅又被人挪到过道里", "property"),
          ("找喵喵科技要说法", "wages"),
          ("喵喵科技那边怎么说", "wages"),
          ("喵喵科技一直推脱", "wages")]
QUESTION = "卫星锅今天又掉下来了"


async def test_retrain_learns_stores_and_loads_after_restart(services: Services,
                                                             tmp_path: Path) -> None:
    data = copy.deepcopy(demo_config_data())
    data["routing"]["learn_min_examples"] = 3
    config = parse_config(data, "test")
    svc = dataclasses.replace(services, config=config,
                              router=Router.build(config, tmp_path / "router"))
    assert not svc.router.classify(QUESTION).confident
    for i, (text, category) in enumerate(ROUTED):
        number = number_in(await report_request(svc, text, user=6000 + i))
        await route(svc, DISPATCHER, number,
                         category=category)
    assert await retrain(svc) == len(ROUTED)
    assert await count(svc, RoutingModel) == 1
    after = svc.router.classify(QUESTION)
    assert after.category == "property" and after.candidates[0].category == "property"

    async with svc.uow() as uow:   # a restarted bot loads the same model from the database
        model, _ = await load_model(uow)
    restarted = Router.build(config, tmp_path / "router2", model)
    assert restarted.classify(QUESTION) == after


async def test_another_instance_loads_the_newer_model_without_a_restart(
        services: Services, tmp_path: Path) -> None:
    data = copy.deepcopy(demo_config_data())
    data["routing"]["learn_min_examples"] = 3
    config = parse_config(data, "test")
    router = Router.build(config, tmp_path / "router")
    trainer = dataclasses.replace(services, config=config, router=router)
    other = dataclasses.replace(services, config=config, router=router)   # same database
    assert not await refresh_model(other)            # nothing stored yet
    for i, (text, category) in enumerate(ROUTED):
        number = number_in(await report_request(trainer, text, user=6000 + i))
        await route(trainer, DISPATCHER, number, category=category)
    await retrain(trainer)
    assert other.router.model is None
    assert await refresh_model(other)                # it notices the stored model
    assert other.router.classify(QUESTION) == trainer.router.classify(QUESTION)
    assert other.model_id == trainer.model_id
    assert not await refresh_model(other)            # and loads it once
