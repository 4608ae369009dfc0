"""The models behind chapter 16's microservice, each loaded once per worker and called through a
traced ``tf.function`` (one graph, reused for every request), never ``model.predict`` per request.

* :class:`ImageSearch` - chapter 10's inverse image search: an uploaded picture -> EfficientNet-Lite0
  ``avg_pool`` vector -> the nearest images of the saved index ``zoo/10/image_index.npz``.
* :class:`TextClassifier` - chapter 7's emoji-group classifier (words -> one of 9 Unicode groups).
  ``call="predict"`` switches to ``model.predict`` per request: the slow pattern the benchmark
  compares against.
* :class:`Seq2Seq` - chapter 8's encoder-decoders (plurals, chatbot): greedy and beam decoding on
  the server, a whole batch of inputs per request.

Every check of a request's content raises :class:`BadInput`; the app turns it into a 4xx reply.
"""

from __future__ import annotations

import io
from typing import Sequence

import numpy as np


class BadInput(ValueError):
    """A request the service cannot answer; ``status`` is the HTTP code (400, 413, 415, 422)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def limit_threads(threads: int = 1) -> None:
    """One TensorFlow thread per worker: gunicorn runs one worker per core instead."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already initialised (e.g. inside a notebook): keep its settings
        pass


def _text(value, what: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise BadInput(f"{what} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise BadInput(f"{what} is empty")
    if len(value) > max_chars:
        raise BadInput(f"{what} is {len(value)} characters long; the limit is {max_chars}", 413)
    return value


def text_batch(payload, field: str, max_items: int, max_chars: int) -> tuple[list[str], bool]:
    """``{"<field>": "..."}`` or ``{"<field>s": [...]}`` -> (texts, was_a_list)."""
    if not isinstance(payload, dict):
        raise BadInput(f"the JSON body must be an object with '{field}' or '{field}s'")
    if field in payload:
        return [_text(payload[field], f"'{field}'", max_chars)], False
    many = field + "s"
    if many not in payload:
        raise BadInput(f"missing '{field}' (one string) or '{many}' (a list of strings)")
    items = payload[many]
    if not isinstance(items, list):
        raise BadInput(f"'{many}' must be a list of strings, not {type(items).__name__}")
    if not items:
        raise BadInput(f"'{many}' is an empty list")
    if len(items) > max_items:
        raise BadInput(f"'{many}' holds {len(items)} items; the limit is {max_items}", 413)
    return [_text(t, f"'{many}[{i}]'", max_chars) for i, t in enumerate(items)], True


# ------------------------------------------------------------------------------------------------
# images


def open_image(data: bytes, max_pixels: int):
    """Bytes of an uploaded file -> an RGB PIL image, or :class:`BadInput` (not an image, a
    truncated one, or more than ``max_pixels`` pixels: decompression bombs are refused before
    decoding)."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise BadInput("the uploaded file is empty")
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > max_pixels:
            raise BadInput(f"image is {width}x{height} pixels; the limit is {max_pixels:,} pixels", 413)
        image.load()
        return image.convert("RGB")
    except BadInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as err:
        raise BadInput(f"the upload is not an image this service can read ({type(err).__name__})", 415)
    except (OSError, SyntaxError, ValueError) as err:
        raise BadInput(f"the image cannot be decoded: {err}", 415)


class ImageSearch:
    """Upload -> nearest images of chapter 10's saved index (cosine similarity)."""

    name = "images"

    def __init__(self, index=None, network=None):
        from ..vision import backbone, embed, search
        from .. import zoo

        self.index = index if index is not None else search.load_index(zoo.zoo_dir(10), "image_index")
        net = network if network is not None else backbone.load_efficientnet_lite0()
        self.embedder = embed.Embedder(embed.feature_model(net, "avg_pool"), backbone.preprocess, 8)
        self._crop = backbone.center_crop_resize
        self.embedder(np.zeros((1, 224, 224, 3), np.uint8))  # trace now, not on the first request

    def info(self) -> dict:
        return {"kind": "image search", "images": len(self.index.rows),
                "model": self.index.settings.get("model", "EfficientNet-Lite0 avg_pool")}

    def __call__(self, images: Sequence, k: int = 10) -> list[list[dict]]:
        vectors = self.embedder(np.stack([self._crop(im) for im in images]))
        return [[{**row, "similarity": round(sim, 5)} for row, sim in hits]
                for hits in self.index.query(vectors, k)]


# ------------------------------------------------------------------------------------------------
# text classification


class TextClassifier:
    """Chapter 7's emoji-group classifier: text -> word ids (the card's vocabulary) -> probabilities."""

    name = "emoji"

    def __init__(self, chapter: int = 7, model_name: str = "emoji_group_classifier",
                 call: str = "function"):
        import tensorflow as tf

        from .. import zoo
        from ..text.vocab import Vocabulary

        self.model, card = zoo.load_keras(chapter, model_name, compile=False)
        self.vocab = Vocabulary.from_dict(card["vocabulary"])
        self.classes, self.maxlen = list(card["classes"]), int(card["maxlen"])
        self.words = card.get("vocabulary_kind", "words") == "words"
        self.call, self.card = call, card
        spec = tf.TensorSpec((None, self.maxlen), tf.int32, name="word_ids")
        self._forward = tf.function(lambda x: self.model(x, training=False), input_signature=[spec])
        self._forward(np.zeros((1, self.maxlen), np.int32))  # trace now, not on the first request

    def info(self) -> dict:
        return {"kind": "text classifier", "classes": self.classes, "maxlen": self.maxlen,
                "call": self.call, "test_accuracy": self.card.get("metrics", {}).get("test_accuracy")}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Word ids; a text none of whose words the model knows is refused (422)."""
        from ..text.vocab import tokenize

        rows = []
        for text in texts:
            tokens = tokenize(text) if self.words else list(text)
            known = [t for t in tokens if t in self.vocab.index]
            if not known:
                shown = ", ".join(tokens[:5]) or repr(text[:40])
                raise BadInput(f"none of the words is known to the model: {shown}", 422)
            rows.append(tokens)
        return self.vocab.encode_batch(rows, self.maxlen).astype(np.int32)

    def __call__(self, texts: Sequence[str], top: int = 3) -> list[dict]:
        ids = self.encode(texts)
        if self.call == "predict":
            probs = self.model.predict(ids, verbose=0)
        else:
            probs = np.asarray(self._forward(ids))
        out = []
        for row in probs:
            order = np.argsort(-row)[:top]
            out.append({"label": self.classes[order[0]],
                        "top": [{"label": self.classes[j], "probability": round(float(row[j]), 5)}
                                for j in order]})
        return out


# ------------------------------------------------------------------------------------------------
# sequence to sequence


class Seq2Seq:
    """A chapter 8 encoder-decoder behind the service: ``plurals`` (characters) or ``chatbot``
    (SentencePiece pieces). Greedy decoding runs the whole batch together; beam search runs per
    input. Both use the compiled one-step decoder of :func:`cookbook.text.seq2seq.inference_models`."""

    def __init__(self, name: str):
        from .. import zoo
        from ..text import seq2seq

        if name not in ("plurals", "chatbot"):
            raise ValueError(f"unknown seq2seq model {name!r}: plurals or chatbot")
        self.name = name
        model_name = "plural_seq2seq" if name == "plurals" else "chatbot_seq2seq"
        model, card = zoo.load_keras(8, model_name, compile=False)
        self.card, self._s2s = card, seq2seq
        self.models = seq2seq.inference_models(model)
        if name == "plurals":
            from ..text.vocab import Vocabulary

            data = card["data"]
            self.vocab = Vocabulary.from_dict(data["vocab"])
            self.src_len, self.max_len = int(data["src_len"]), int(data["tgt_len"])
            self.reverse = bool(data.get("reversed_input", True))
            self.max_chars = self.src_len
        else:
            self.sp = seq2seq.load_sentencepiece(zoo.model_path(8, "chatbot_spm", ".model").read_bytes())
            self.src_len = self.max_len = int(card["data"]["max_pieces"])
            self.max_chars = 400
        self.decode(["warm"], "greedy")  # trace the graphs now

    def info(self) -> dict:
        return {"kind": "seq2seq", "max_input": self.max_chars, "max_output_tokens": self.max_len,
                "decoders": ["greedy", "beam"]}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.name == "plurals":
            for text in texts:
                if len(text) > self.src_len:
                    raise BadInput(f"'{text[:40]}' is longer than {self.src_len} characters", 413)
                unknown = sorted({ch for ch in text if ch not in self.vocab.index})
                if unknown:
                    raise BadInput(f"characters the model never saw: {''.join(unknown)!r}", 422)
            return self.vocab.encode_batch(list(texts), self.src_len, reverse=self.reverse).astype(np.int32)
        from ..text import dialogue

        words = [" ".join(dialogue.tokenize(t)) for t in texts]
        if not all(words):
            raise BadInput("a prompt holds no words", 422)
        return self._s2s.encode_pieces(self.sp, words, self.src_len).astype(np.int32)

    def _text(self, ids) -> str:
        """Token ids up to the first end marker, reserved ids (pad, start, end) left out -> text."""
        end = self._s2s.END
        ids = [int(i) for i in ids]
        ids = [i for i in (ids[:ids.index(end)] if end in ids else ids) if i > end]
        return self.vocab.decode(ids) if self.name == "plurals" else self.sp.decode(ids)

    def decode(self, texts: Sequence[str], decoder: str = "greedy", beam: int = 4) -> list[dict]:
        src = self.encode(texts)
        if decoder == "greedy":
            ids = self._s2s.greedy_decode(self.models, src, self.max_len,
                                          min_len=1 if self.name == "chatbot" else 0)
            return [{"output": self._text(row)} for row in ids]
        if decoder == "beam":
            out = []
            for row in src:
                found = self._s2s.beam_decode(self.models, row, self.max_len, beam=beam)
                out.append({"output": self._text(found[0][0]),
                            "alternatives": [{"output": self._text(ids), "score": round(float(s), 4)}
                                             for ids, s in found[:beam]]})
            return out
        raise BadInput(f"unknown decoder {decoder!r}: greedy or beam")
