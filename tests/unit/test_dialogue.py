"""Dialogue extraction, pairing and the held-out split (cookbook.text.dialogue)."""

from cookbook.text import dialogue

NOVEL = '''Chapter 1

"Is it true?" asked Anne. "I heard it this morning."

"Quite true," said he, "and I am glad of it."

"Then we shall go."

The carriage came round at noon, and for a long while nobody in the house spoke of anything but
the journey, the weather, the roads and the inns that were said to be tolerable along the way.

"Who is there?"

"Only me."
'''


def test_extract_conversations_splits_on_long_narration():
    convs = dialogue.extract_conversations(NOVEL)
    assert convs == [["Is it true? I heard it this morning.", "Quite true, and I am glad of it.",
                      "Then we shall go."],
                     ["Who is there?", "Only me."]]


def test_join_speech_turns_comma_into_full_stop_before_a_new_sentence():
    assert dialogue._join_speech(["Yes,", "I will."]) == "Yes. I will."
    assert dialogue._join_speech(["Yes,", "and more."]) == "Yes, and more."


def test_curly_quotes_and_windows_line_ends_are_normalized():
    text = "\u201cHello,\u201d said I.\r\n\r\n\u201cWho\u2019s there?\u201d\r\n"
    assert dialogue.extract_conversations(text) == [["Hello,", "Who's there?"]]


def test_single_turn_is_not_a_conversation():
    assert dialogue.extract_conversations('"Alone."\n\nNarration only.\n') == []


def test_tokenize_keeps_words_apostrophes_and_question_marks():
    assert dialogue.tokenize("Don't you_see, Mr. Darcy?") == ["don't", "you", "see", "mr", "darcy", "?"]


def test_pairs_use_last_and_first_sentences():
    convs = [["Good day. How are you?", "Very well. And you?"]]
    assert dialogue.conversation_pairs(convs) == [("how are you ?", "very well")]
    assert dialogue.conversation_pairs(convs, max_tokens=3) == []


def test_pairs_drop_long_sentences():
    convs = [["one two three four", "five six"]]
    assert dialogue.conversation_pairs(convs, max_tokens=3) == []
    assert dialogue.conversation_pairs(convs, max_tokens=4) == [("one two three four", "five six")]


def test_chat_pairs_take_every_consecutive_turn():
    assert dialogue.chat_pairs([["Hi", "Hello there", "How are you?"]]) == [
        ("hi", "hello there"), ("hello there", "how are you ?")]


def test_format_conversations_blank_line_between():
    assert dialogue.format_conversations([["a", "b"], ["c", "d"]]) == "a\nb\n\nc\nd\n"


def test_load_chatterbot_reads_yaml(tmp_path):
    (tmp_path / "greetings.yml").write_text(
        "categories:\n- greetings\nconversations:\n- - Hello\n  - Hi\n- - Alone\n")
    assert dialogue.load_chatterbot(tmp_path) == [["Hello", "Hi"]]


def test_tokenize_is_the_shared_tokenizer_keeping_question_marks():
    from cookbook.text import vocab

    text = "Is it Mr. Darcy's? I_think so!"
    assert dialogue.tokenize(text) == vocab.tokenize(text, punctuation="?")
    assert dialogue.tokenize(text) == ["is", "it", "mr", "darcy's", "?", "i", "think", "so"]


def test_split_conversations_is_seeded_disjoint_and_complete():
    convs = [[f"turn {i} a", f"turn {i} b"] for i in range(100)]
    train, dev, test = dialogue.split_conversations(convs, (0.05, 0.05), seed=0)
    assert (len(train), len(dev), len(test)) == (90, 5, 5)
    assert sorted(map(tuple, train + dev + test)) == sorted(map(tuple, convs))
    assert dialogue.split_conversations(convs, (0.05, 0.05), seed=0) == [train, dev, test]


def test_conversation_split_leaves_no_held_out_sentence_in_training():
    """A pair split leaks (the reply of one pair is the next pair's prompt); splitting by
    conversation and dropping held-out pairs made of stock lines leaves no overlap."""
    convs = [["Hello there.", "Yes.", f"Line {i} one.", f"Line {i} two."] for i in range(40)]
    pairs = dialogue.conversation_pairs(convs)
    leaky_train, leaky_val = pairs[::2], pairs[1::2]
    assert dialogue.sentences_of(leaky_val) & dialogue.sentences_of(leaky_train)
    train, held = dialogue.split_conversations(convs, (0.1,), seed=0)
    train_pairs = dialogue.conversation_pairs(train)
    seen = dialogue.sentences_of(train_pairs)
    held_pairs = dialogue.unseen_pairs(dialogue.conversation_pairs(held), seen)
    assert held_pairs and not dialogue.sentences_of(held_pairs) & seen
    assert all("line" in p and "line" in r for p, r in held_pairs)  # "yes" pairs went
