"""Dialogue extraction and pairing (cookbook.dialogue)."""

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


def test_gutenberg_file_round_trips_through_strip_headers():
    from cookbook.online.gutenberg import strip_headers

    body = "Some text.\n\n\"Speech,\" she said."
    wrapped = dialogue.gutenberg_file("A Book", "Someone", body, 1)
    assert "*** START OF THE PROJECT GUTENBERG EBOOK A BOOK ***" in wrapped
    assert strip_headers(wrapped) == body


def test_load_chatterbot_reads_yaml(tmp_path):
    (tmp_path / "greetings.yml").write_text(
        "categories:\n- greetings\nconversations:\n- - Hello\n  - Hi\n- - Alone\n")
    assert dialogue.load_chatterbot(tmp_path) == [["Hello", "Hi"]]
