"""Continue full-mode training of the chapter 5 Shakespeare zoo model (warm restart of the
learning-rate schedule), with the notebook's own functions; update the model and card only if the
held-out accuracy improves. This is how the second training session in the card of
zoo/05/shakespeare_char_lstm was made in the first (2x256) version of the model:

    DLCB_MIRROR=../shared/mirror .venv/bin/python scripts/ch05_continue_training.py 1200
"""
import json
import os
import sys

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
from cookbook import env, zoo
from cookbook.text import textgen as tg
from cookbook.datasets import ch05
env.setup()
BUDGET = float(sys.argv[1]) if len(sys.argv) > 1 else 1200
model, card = zoo.load_keras(5, "shakespeare_char_lstm")
text = ch05.load_shakespeare()
vocab = tg.vocab_from_card(card)
train_ids, val_ids = tg.split_ids(vocab.encode(text), 0.1)
d = card["data"]
before = tg.evaluate_ids(model, val_ids, d["seq_len"], d["batch_size"])
print("before", before, flush=True)
steps0 = int(model.optimizer.iterations.numpy())
run = tg.train_char_model(model, train_ids, val_ids[:50_000], seq_len=d["seq_len"],
    batch_size=d["batch_size"], epochs=200, steps_per_epoch=150, time_budget_s=BUDGET,
    seed=100, verbose=2, base_lr=1e-3)
history, seconds = run.history, run.seconds
after = tg.evaluate_ids(model, val_ids, d["seq_len"], d["batch_size"])
print("after", after, seconds, flush=True)
if after["accuracy"] > before["accuracy"]:
    steps = d["steps"] + int(model.optimizer.iterations.numpy()) - steps0
    steps0 = d["steps"]
    card = json.loads(json.dumps(card))
    card["data"]["steps"] = steps
    card["data"]["chars_seen"] = steps * d["batch_size"] * d["seq_len"]
    card["data"]["epochs_run"] = d["epochs_run"] + len(history["loss"])
    card["trained"]["epochs"] = card["data"]["epochs_run"]
    # the saved model carries no optimizer state, so count steps from the card, not the optimizer
    earlier = card["trained"].get("sessions") or [
        {"steps": d["steps"], "lr": card["trained"].get("lr"), "seconds": card["trained"]["seconds"]}]
    card["trained"]["sessions"] = earlier + [
        {"steps": steps - steps0, "lr": f"warm restart, cosine 1e-3 -> 5e-5 over {BUDGET:.0f} s",
         "seconds": round(seconds, 1)}]
    card["trained"].pop("lr", None)
    card["trained"]["seconds"] = round(card["trained"]["seconds"] + seconds, 1)
    card["metrics"].update({"held_out_accuracy": round(after["accuracy"], 4),
                            "held_out_loss": round(after["loss"], 4),
                            "final_train_loss": round(history["loss"][-1], 4),
                            "final_train_accuracy": round(history["accuracy"][-1], 4)})
    card.pop("file", None)
    print(zoo.save_keras(model, 5, "shakespeare_char_lstm", card))
