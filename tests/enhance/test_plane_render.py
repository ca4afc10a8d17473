"""The fast path (fused kernel on decoded planes) against the plain torch route (planes -> RGB ->
the model's own render -> planes): every model, odd sizes, both ranges, three matrices, 8 and
10 bits, nv12; plus temporal behaviour of its noise reduction."""

from dataclasses import replace

import av
import cv2
import numpy as np
import pytest
import torch

from llie_video import create_model, list_models
from llie_video.ops.block_means import block_means as plane_block_means
from llie_video.enhance.av_planes import spec_of, yuv420_planes
from llie_video.enhance.camera_motion import STILL, CameraMotion
from llie_video.enhance.temporal_denoise import TemporalBlend
from llie_video.enhance.finish import FrameFinish
from llie_video.enhance.plane_render import (
    FusedPlaneRenderer,
    PreviousPlanes,
    frame_block_means,
    sums_to_block_means,
    widen,
)
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.smoothing import ParamSmoother
from llie_video.enhance.stage import EnhanceStage
from llie_video.models.attention import IATColour
from tests.helpers.shared import shared_path

CPU = torch.device("cpu")


def _psnr(a: np.ndarray, b: np.ndarray, peak: float = 255.0) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(peak**2 / mse)


def _scene(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A dark RGB scene with smooth colour gradients, edges and sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    rgb = np.stack([40 * xx + 10, 30 * yy + 12, 25 * (1 - xx) + 8], -1)
    rgb[height // 3 : height // 2, width // 4 : width // 2] += 60  # a lit object with edges
    return np.clip(rgb + rng.normal(0, 3, rgb.shape), 0, 255).astype(np.uint8)


def _to_frame(rgb: np.ndarray, fmt: str, colorspace: int, color_range: int) -> av.VideoFrame:
    """Encode ``rgb`` into ``fmt`` with the given matrix and range tags."""
    source = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    source.colorspace, source.color_range = colorspace, color_range
    frame = source.reformat(format=fmt, dst_colorspace=colorspace, dst_color_range=color_range)
    frame.colorspace, frame.color_range = colorspace, color_range
    return frame


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    return [np.array(p) for p in yuv420_planes(frame)]


def _both(model, frame, settings, bit_depth: int = 8):
    fast = EnhanceStage(model, CPU, settings=settings)
    reference = EnhanceStage(model, CPU, settings=settings, fused=False)
    fast.output_bit_depth = reference.output_bit_depth = bit_depth
    assert fast.prefers_planes
    return _planes(fast.process_planes(frame)), _planes(reference.process_planes(frame))


def _assert_close(fast, reference, chroma_shift=0.5):
    for ours, ref in zip(fast, reference):
        assert _psnr(ours, ref) >= 45.0
        # the small estimation frames are resized from different data (planes vs RGB):
        # rare pixels at strong edges may differ by a few code values
        assert np.mean(np.abs(ours.astype(int) - ref.astype(int)) > 2) <= 0.005
    # no colour shift: mean chroma within half a code value
    for ours, ref in zip(fast[1:], reference[1:]):
        assert abs(ours.mean() - ref.mean()) <= chroma_shift


@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize("settings", [
    EnhanceSettings(smoothing=0.0),
    EnhanceSettings(smoothing=0.0, gamma=1.4, strength=0.7),
    EnhanceSettings(smoothing=0.0, saturation=0.6, edge_aware=False, denoise=0.0),
])
def test_fast_path_matches_reference_for_every_model(name, settings):
    torch.manual_seed(0)
    model = create_model(name, pretrained=name == "zero_dce_pp")
    frame = _to_frame(_scene(83, 61), "yuv420p", colorspace=1, color_range=1)
    _assert_close(*_both(model, frame, settings))


@pytest.mark.parametrize(("fmt", "colorspace", "color_range"), [
    ("yuv420p", 6, 1),  # BT.601 limited
    ("yuv420p", 1, 2),  # BT.709 full
    ("yuv420p", 9, 1),  # BT.2020 limited
    ("nv12", 1, 1),
    ("yuv420p10le", 1, 1),
])
@pytest.mark.parametrize("size", [(51, 37), (64, 48), (130, 30)])
def test_fast_path_formats_ranges_matrices_and_odd_sizes(fmt, colorspace, color_range, size):
    frame = _to_frame(_scene(*size, seed=1), fmt, colorspace, color_range)
    # the conversions under test: a model whose estimate is smooth in its input (IAT-lite's
    # global branch reacts more to the two routes' slightly different small frames, on a 51x37
    # frame 1-2% of pixels by 3+ codes; it is covered by the every-model and real-photo tests)
    fast, reference = _both(create_model("zero_dce_pp", pretrained=True), frame,
                            EnhanceSettings(smoothing=0.0))
    assert fast[0].shape == (size[1], size[0])
    assert fast[1].shape == ((size[1] + 1) // 2, (size[0] + 1) // 2)
    _assert_close(fast, reference)


def test_fast_path_on_a_real_photo():
    photo = sorted(shared_path("data", "test", "DICM").iterdir())[0]
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    frame = _to_frame(rgb, "yuv420p", colorspace=1, color_range=1)
    fast, reference = _both(create_model("default", pretrained=True), frame, EnhanceSettings(smoothing=0.0))
    _assert_close(fast, reference)
    assert fast[0].mean() > _planes(frame)[0].mean() + 10  # brighter


def test_grey_ramp_within_one_code_value():
    frame = av.VideoFrame(256, 16, "yuv420p")
    frame.colorspace, frame.color_range = 1, 1
    y, u, v = yuv420_planes(frame)
    y[...] = np.linspace(16, 235, 256).astype(np.uint8)
    u[...], v[...] = 128, 128
    fast, reference = _both(create_model("default", pretrained=True), frame, EnhanceSettings(smoothing=0.0))
    for ours, ref in zip(fast, reference):
        assert np.abs(ours.astype(int) - ref.astype(int)).max() <= 1


def test_strength_zero_gives_back_the_input():
    frame = _to_frame(_scene(64, 48), "yuv420p", colorspace=1, color_range=1)
    stage = EnhanceStage(create_model("default", pretrained=True), CPU,
                         settings=EnhanceSettings(smoothing=0.0, strength=0.0, denoise=0.0))
    for ours, source in zip(_planes(stage.process_planes(frame)), _planes(frame)):
        # chroma is rebuilt from the mean of 2x2 pixels; saturated colours may clip slightly
        assert np.abs(ours.astype(int) - source.astype(int)).mean() < 0.6


def test_output_keeps_colour_tags_and_is_8_bit():
    frame = _to_frame(_scene(64, 48), "yuv420p10le", colorspace=1, color_range=1)
    out = EnhanceStage(create_model("default", pretrained=True), CPU).process_planes(frame)
    assert out.format.name == "yuv420p"
    assert (out.colorspace, out.color_range) == (1, 1)


@pytest.mark.parametrize("fmt", ["yuv420p", "yuv420p10le"])
def test_ten_bit_output_is_rendered_without_an_8_bit_step(fmt):
    """For a 10-bit output both routes write 10-bit planes that match each other, and hold the
    levels between 8-bit codes: the 8-bit output is the 10-bit one rounded, not its source."""
    model = create_model("default", pretrained=True)
    frame = _to_frame(_scene(83, 61), fmt, colorspace=1, color_range=1)
    settings = EnhanceSettings(smoothing=0.0)
    fast, reference = _both(model, frame, settings, bit_depth=10)
    for ours, ref in zip(fast, reference):
        assert ours.dtype == np.uint16 and ours.max() <= 1023
        assert _psnr(ours, ref, peak=1023.0) >= 45.0
        assert np.mean(np.abs(ours.astype(int) - ref.astype(int)) > 8) <= 0.005
    staged = EnhanceStage(model, CPU, settings=settings, fused=False, in_flight=2)  # as on CUDA
    staged.output_bit_depth = 10
    for ours, ref in zip(_planes(staged.process_planes(frame)), reference):
        assert np.array_equal(ours, ref)
    eight, _ = _both(model, frame, settings)
    for ten, ours in zip(fast, eight):
        assert np.mean(ten % 4 != 0) > 0.5  # not 8-bit codes scaled up
        assert np.abs(ten / 4.0 - ours).max() <= 1.0


def test_temporal_noise_reduction_on_a_static_noisy_scene():
    rng = np.random.default_rng(3)
    scene = _scene(96, 64).astype(float)
    frames = [_to_frame(np.clip(scene + rng.normal(0, 4, scene.shape), 0, 255).astype(np.uint8),
                        "yuv420p", 1, 1) for _ in range(8)]

    def jitter(settings):
        stage = EnhanceStage(create_model("default", pretrained=True), CPU, settings=settings)
        lumas = [_planes(stage.process_planes(f))[0].astype(float) for f in frames]
        return np.mean([np.abs(a - b).mean() for a, b in zip(lumas[1:], lumas[:-1])])

    assert jitter(EnhanceSettings(smoothing=0.6)) < 0.7 * jitter(EnhanceSettings(smoothing=0.0))


def test_temporal_noise_reduction_follows_a_brightening_scene(monkeypatch):
    """Light rising 2% a frame on a static noisy scene: the smoothed output keeps the level of
    the per-frame output (the filtered frame follows the exposure; lagging, it would make the
    output dim while the light rose).

    The parameter average is held out (it lags by how much the model's curves move with the
    exposure, 1.3 to 2.4 codes here depending on the weights, and its lag can cancel the pixel
    filter's: tests/enhance/test_smoothing.py covers it)."""
    monkeypatch.setattr(ParamSmoother, "__call__", lambda self, params, frame_low, smoothing: params)
    rng = np.random.default_rng(4)
    scene = _scene(96, 64).astype(float)
    frames = [_to_frame(np.clip(scene * 1.02**t + rng.normal(0, 3, scene.shape), 0, 255)
                        .astype(np.uint8), "yuv420p", 1, 1) for t in range(12)]

    def mean_luma(smoothing):
        stage = EnhanceStage(create_model("default", pretrained=True), CPU,
                             settings=EnhanceSettings(smoothing=smoothing, denoise=0.0))
        return np.array([_planes(stage.process_planes(f))[0].mean() for f in frames])

    per_frame, smoothed = mean_luma(0.0), mean_luma(0.7)
    # codes: 0.3 (with a filter that ignores the exposure change: 2.4)
    assert np.abs(smoothed - per_frame)[4:].max() < 1.0


def test_scene_cut_resets_the_temporal_state():
    dark = _to_frame(_scene(96, 64), "yuv420p", 1, 1)
    bright = _to_frame(np.full((64, 96, 3), 200, np.uint8), "yuv420p", 1, 1)
    stage = EnhanceStage(create_model("default", pretrained=True), CPU)
    for _ in range(3):
        stage.process_planes(dark)
    after_cut = _planes(stage.process_planes(bright))[0]
    fresh = _planes(EnhanceStage(create_model("default", pretrained=True), CPU).process_planes(bright))[0]
    assert np.abs(after_cut.astype(int) - fresh.astype(int)).max() <= 1  # no trace of the dark frames


@pytest.mark.parametrize(("rows", "columns", "width"), [(3, 5, 17), (1, 4, 9), (2, 1, 6)])
def test_widen_matches_torch_corner_aligned_interpolation(rows, columns, width):
    maps = torch.rand(1, 2, rows, columns)
    ours = widen(maps, width)
    expected = torch.nn.functional.interpolate(maps, size=(rows, width), mode="bilinear",
                                               align_corners=True)[0]
    assert ours.shape == (2, max(rows, 2), width)
    assert np.allclose(ours[:, :rows], expected.numpy(), atol=1e-6)


def test_block_means_of_planes():
    frame = av.VideoFrame(12, 8, "nv12")
    frame.color_range = 2  # full range: code / 255
    y = yuv420_planes(frame)[0]
    y[...] = np.arange(12)[None, :] * 10
    means = frame_block_means(frame, spec_of(frame))
    assert means.shape == (1, 1, 2, 3)
    assert np.allclose(means[0, 0, 0].numpy(), np.array([15, 55, 95]) / 255, atol=1e-6)


@pytest.mark.parametrize("height, width", [(8, 12), (10, 14), (9, 13), (1080, 1920)])
def test_block_means_from_the_kernels_row_sums(height, width):
    """Per chroma row (2 luma rows, 1 at an odd bottom) 4-column sums -> 4x4 block means, as a
    pass over the plane gives them."""
    plane = np.random.default_rng(width).random((height, width)).astype(np.float32) * 255
    padded = np.zeros((-(-height // 2) * 2, -(-width // 4) * 4), np.float32)
    padded[:height, :width] = plane
    sums = padded.reshape(padded.shape[0] // 2, 2, -1, 4).sum(axis=(1, 3))
    ours = sums_to_block_means(sums, height, width)
    assert ours.shape == (-(-height // 4), -(-width // 4))
    assert np.allclose(ours, plane_block_means(plane, 4), rtol=1e-5)


def _lit_ramp_frame() -> tuple[av.VideoFrame, np.ndarray]:
    """A dark frame (code 20) with a lit grey ramp, 150 -> 240 over 128 columns, in it."""
    rgb = np.full((64, 256, 3), 20, np.uint8)
    ramp = np.linspace(150, 240, 128)
    rgb[16:48, 64:192] = ramp.round().astype(np.uint8)[None, :, None]
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p"), ramp


def test_highlights_keep_their_gradation_on_the_fused_path():
    """zero_dce_pp lifts the dark surround and presses the lit ramp towards white; protected, the
    ramp stays under the bound, increasing, with about a quarter of its span. (The default,
    trained with lit regions, leaves this ramp's span alone: nothing to protect.)"""
    frame, ramp = _lit_ramp_frame()
    model = create_model("zero_dce_pp", pretrained=True)
    rows = {}
    for headroom in (1.0, 0.75):
        stage = EnhanceStage(model, CPU, settings=EnhanceSettings(
            smoothing=0.0, brightness_ceiling=1.0, highlight_headroom=headroom))
        out = stage.process_planes(frame).to_ndarray(format="rgb24").astype(float)
        assert out[4, 4].mean() > 30  # the surround is lifted either way
        rows[headroom] = out[32, 70:186].mean(axis=1)  # inside the ramp, off its edges
    # unprotected, the ramp is pressed towards white (2 codes of span left); protected, it keeps
    # more of its gradation (21 codes)
    assert rows[1.0].max() - rows[1.0].min() < 0.5 * (rows[0.75][-1] - rows[0.75][0])
    level = ramp[6:122] / 255
    protected = rows[0.75]
    assert (protected <= 255 * (level + 0.75 * (1 - level)) + 1.5).all()
    assert (np.diff(protected) >= -1).all()
    assert protected[-1] - protected[0] > 0.2 * (240 - 150)


def test_bright_input_passes_through():
    """A well-exposed frame is not made darker on average, nor washed out: the ceiling's target
    is its own level, and a render that only a crushing gamma could hold there is blended back
    to the input."""
    rgb = np.clip(np.random.default_rng(2).normal(170, 40, (72, 128, 3)), 0, 255).astype(np.uint8)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    stage = EnhanceStage(create_model("default", pretrained=True), CPU,
                         settings=EnhanceSettings(smoothing=0.0))
    # within 2.5% (the real-pair model with the default noise reduction and saturation: -4.3
    # codes on this noise-textured frame)
    for out in (stage.process(rgb), stage.process_planes(frame).to_ndarray(format="rgb24")):
        assert abs(out.astype(float).mean() - rgb.mean()) < 0.025 * 255


@pytest.mark.parametrize("size", [(64, 48), (37, 23), (30, 18)])
def test_kernel_block_sums_match_block_means_of_the_previous_luma(size):
    """The block means the kernel sums as it writes the previous luma, used when the camera
    is still, equal a separate pass over that luma (odd sizes: partial edge blocks)."""
    width, height = size
    previous = PreviousPlanes()
    renderer = FusedPlaneRenderer(create_model("iat_lite").render_spec(), previous)
    params = torch.rand(1, 3, 4, 6) * 0.5
    finish = FrameFinish(1.0, 1.0, 1.0, 1.0)
    for seed in range(2):
        frame = _to_frame(_scene(width, height, seed), "yuv420p", 1, 1)
        spec = spec_of(frame)
        blend = None if seed == 0 else TemporalBlend(torch.full((1, 1, 2, 2), 0.5), 1.1)
        previous.move_with_camera(frame, STILL)
        renderer.plan(frame, spec, params, blend, True, finish).run()
    from_sums = previous.move_with_camera(frame, STILL)
    previous_luma = previous._planes[0]
    assert np.allclose(from_sums[0, 0].numpy(), plane_block_means(previous_luma, 4), atol=1e-5)
    moved = previous.move_with_camera(frame, CameraMotion(1.0, -2.0, 1.0))  # a fresh pass
    assert np.allclose(moved[0, 0].numpy(), plane_block_means(previous._planes[0], 4), atol=1e-6)


@pytest.mark.parametrize(("settings", "chroma_shift"), [
    (EnhanceSettings(smoothing=0.0, black_clip=1.0), 0.5),
    # the grey-world gains are measured on each route's own small frame (resized from planes
    # or from RGB): within a code value of each other
    (EnhanceSettings(smoothing=0.0, white_balance=1.0, saturation=0.8), 1.0),
])
def test_fast_path_matches_reference_with_input_levels(settings, chroma_shift):
    frame = _to_frame(_scene(83, 61, seed=2), "yuv420p", colorspace=1, color_range=1)
    _assert_close(*_both(create_model("zero_dce_pp", pretrained=True), frame, settings),
                  chroma_shift)


def test_colour_transform_on_the_fast_path_matches_reference():
    """The learned render's colour step, with a colour head that moves colour (random weights),
    through the fused kernel and the torch route, plain and edge-aware."""
    torch.manual_seed(0)
    model = create_model("iat_colour")
    with torch.no_grad():
        model.colour_head.weight.normal_(0.0, 0.05)
        model.colour_head.bias.normal_(0.0, 0.2)
    frame = _to_frame(_scene(83, 61), "yuv420p", colorspace=1, color_range=1)
    for settings in (EnhanceSettings(smoothing=0.0, edge_aware=False, denoise=0.0),
                     EnhanceSettings(smoothing=0.0, gamma=1.3, strength=0.8)):
        fast, reference = _both(model, frame, settings)
        _assert_close(fast, reference)
        # the transform did move colour: the result differs from IAT-lite's curves alone
        plain = create_model("iat_lite")
        plain.load_state_dict({k: v for k, v in model.state_dict().items()
                               if not k.startswith("colour_head")})
        curves_only = _planes(EnhanceStage(plain, CPU, settings=settings).process_planes(frame))
        assert np.abs(fast[1].astype(int) - curves_only[1].astype(int)).mean() > 2


def test_kernel_values_fill_every_slot_of_the_kernel_once():
    from llie_video.enhance.plane_render import KernelValues

    values = KernelValues(
        kind=0, iterations=8, floor=0.1, exponent=1.0, headroom=0.75, saturation=1.0,
        strength=1.0, user_exponent=1.0, kr=0.299, kb=0.114, levels_in=(1, 2, 3, 4),
        levels_out=(5, 6, 7, 8), temporal_mode=0, previous_gain=1.0, guided=True,
        input_scale=(1, 1, 1), input_offset=(0, 0, 0), shadow=0.0, colour_transform=True,
        out_max=1023.0, ceiling_exponent=1.4)
    from llie_video.ops import fused_yuv

    packed = values.pack()
    assert packed[fused_yuv.V_LEVELS_OUT + 1] == 6 and packed[fused_yuv.V_KB] == np.float32(0.114)
    assert packed[fused_yuv.V_COLOUR_TRANSFORM] == 1 and packed[fused_yuv.V_GUIDED] == 1
    assert packed[fused_yuv.V_OUT_MAX] == 1023


_ALL_OFF = EnhanceSettings(smoothing=0.0, denoise=0.0, edge_aware=False, brightness_ceiling=1.0,
                           highlight_headroom=1.0, saturation=1.0, shadow_desaturation=0.0)


class _FixedColourMaps(IATColour):
    """The learned render with fixed smooth maps that move colour, whatever the frame: the two
    routes' small estimation frames (resized from planes and from RGB) differ slightly, and a
    model's estimate would carry that into its maps; these isolate the render."""

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        corners = torch.rand(1, 15, 4, 5, generator=torch.Generator().manual_seed(1)) * 2 - 1
        corners[:, 3:] *= 0.3
        return torch.nn.functional.interpolate(corners, size=tuple(x_low.shape[-2:]),
                                               mode="bilinear", align_corners=True)


@pytest.mark.parametrize("step", [
    {}, {"edge_aware": True}, {"brightness_ceiling": 0.3}, {"highlight_headroom": 0.5},
    {"saturation": 1.4}, {"shadow_desaturation": 24.0}, {"strength": 0.6}, {"gamma": 0.8},
    {"black_clip": 2.0}, {"white_balance": 1.0}, {"denoise": 5.0},
], ids=lambda step: next(iter(step), "render alone"))
def test_each_render_step_alone_matches_reference(step):
    """One parity test per step of the render, each alone on top of the model's own render
    (with a colour transform that moves colour), fused kernel against the torch route."""
    rgb = _scene(83, 61)
    if {"highlight_headroom", "brightness_ceiling"} & set(step):
        # a smooth lamp for them to act on
        yy, xx = np.mgrid[0:61, 0:83]
        lamp = np.exp(-((yy - 12) ** 2 + (xx - 25) ** 2) / (2 * 8.0**2))[..., None]
        rgb = np.clip(rgb + lamp * [220, 170, 100], 0, 255).astype(np.uint8)
    frame = _to_frame(rgb, "yuv420p", colorspace=1, color_range=1)
    fast, reference = _both(_FixedColourMaps(), frame, replace(_ALL_OFF, **step))
    _assert_close(fast, reference)
    if not {"black_clip", "white_balance"} & set(step):  # levels measured on each small frame
        for ours, ref in zip(fast, reference):  # the render itself: within a code value
            assert np.abs(ours.astype(int) - ref.astype(int)).max() <= 1
