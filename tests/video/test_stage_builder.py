"""build_stage: the one way the CLI, the batch workers and the preview build their stage."""

import torch

from llie_video.job_config import JobConfig, ModelConfig, RuntimeConfig
from llie_video.video.stage_builder import build_stage, describe_model


def test_the_stage_is_the_job_configs_model_on_its_device():
    stage = build_stage(JobConfig(model=ModelConfig(name="zero_dce_pp"),
                                  runtime=RuntimeConfig(device="cpu")))
    assert stage.model.registry_name == "zero_dce_pp" and stage.device.type == "cpu"
    assert describe_model(stage.model) == "ZeroDCEPP (10,561 parameters)"


def test_two_threads_render_ahead_within_them_and_one_renders_in_turn():
    def stage(threads):
        return build_stage(JobConfig(runtime=RuntimeConfig(device="cpu", threads=threads)))

    one, two = stage(1), stage(2)
    assert one.fused and one.overlap == 0
    assert two.fused and two.overlap == 1  # the next estimate runs beside the render
    assert torch.get_num_threads() == 1
