#!/usr/bin/env python3
"""Writes keys.json: real-world S3 object keys, and the path each is requested by.

    python3 tests/object-keys/make_table.py

The paths are computed here with Python's urllib (not with the Rust encoder
they check), refusals are written by hand. Rerun after editing KEYS; the
committed keys.json is what the tests read.
"""
import json
import pathlib
import unicodedata
import urllib.parse

# Kept raw: RFC 3986's unreserved characters and the sub-delimiters browsers
# send as they are, but + (S3 reads it as a space) and * (a policy wildcard).
SAFE = "/-._~!$&'(),;=:@"

LONG_SEGMENTS = "/".join(f"segment-{i:03}" for i in range(92))[:1015] + "/file.bin"

SERVED = [
    ("photos/cat.jpg", "plain"),
    ("index.html", "at the root"),
    ("photos/my cat.jpg", "a space"),
    ("photos/a b+c.jpg", "a space and a plus"),
    ("photos/1+1=2.png", "plus and equals"),
    ("photos/+leading.jpg", "a leading plus"),
    ("photos/100%.jpg", "a percent sign"),
    ("photos/a%20b.jpg", "%20 written literally"),
    ("photos/a%2Fb.jpg", "%2F written literally"),
    ("photos/a%2fb.jpg", "%2f written literally, lower case"),
    ("photos/a%252Fb.jpg", "%252F written literally"),
    ("photos/%2e%2e/x.jpg", "%2e%2e written literally (not a dot segment once encoded)"),
    ("photos/a%zz.jpg", "a percent sign before non-hex"),
    ("photos/caf\u00e9.jpg", "unicode, NFC"),
    (unicodedata.normalize("NFD", "photos/caf\u00e9.jpg"), "unicode, NFD: another object than NFC"),
    ("photos/\u65e5\u672c\u8a9e.png", "Japanese"),
    ("photos/\u0645\u0631\u062d\u0628\u0627.png", "Arabic, right to left"),
    ("photos/\U0001f408\u200d\u2b1b.png", "an emoji sequence with a zero-width joiner"),
    ("photos/\U0001f600.png", "an emoji outside the BMP"),
    ("photos/\u00a0nbsp.jpg", "a no-break space"),
    ("photos/\ufeffbom.jpg", "a byte-order mark"),
    ("photos/\u2028line.jpg", "a line separator (not a control character)"),
    ("~user/profile.png", "a tilde at the start"),
    ("photos/a~b.jpg", "a tilde"),
    ("photos/!'()*.jpg", "! ' ( ) *"),
    ("photos/a*.jpg", "a star that is not a wildcard"),
    ("photos/*", "a key that is a lone star"),
    ("photos/[1].jpg", "square brackets"),
    ("photos/{a}.jpg", "curly brackets"),
    ("photos/a;b.jpg", "a semicolon"),
    ("photos/a;jsessionid=1.jpg", "a path parameter look-alike"),
    ("photos/a=b.jpg", "equals"),
    ("photos/a&b.jpg", "an ampersand"),
    ("photos/a#b.jpg", "a hash (a fragment if raw)"),
    ("photos/a?b.jpg", "a question mark (a query if raw)"),
    ("photos/a?Expires=1&Signature=x", "a key that looks like a signed query"),
    ("photos/a,b.jpg", "a comma"),
    ("photos/a:b.jpg", "a colon"),
    ("photos/a@b.jpg", "an at sign"),
    ("photos/$1.jpg", "a dollar sign"),
    ("photos/a\"b\".jpg", "double quotes"),
    ("photos/a<b>.jpg", "angle brackets"),
    ("photos/a`b`.jpg", "backticks"),
    ("photos/a^b.jpg", "a caret"),
    ("photos/a|b.jpg", "a vertical bar"),
    ("photos/dir/", "a trailing slash (a folder marker)"),
    ("photos/.hidden", "a dot file"),
    ("photos/.../x.jpg", "a segment of three dots"),
    ("photos/a..b.jpg", "two dots inside a name"),
    ("photos/x./y.jpg", "a segment ending with a dot"),
    ("photos/-_.jpg", "only unreserved punctuation"),
    ("photos/UPPER/lower.JPG", "case (keys are case-sensitive)"),
    ("photos/upper/lower.JPG", "the same key in another case: another object"),
    ("photos/a  b.jpg", "two spaces"),
    ("photos/ leading-space.jpg", "a leading space"),
    ("photos/trailing-space.jpg ", "a trailing space"),
    ("photos/a\tb.jpg".replace("\t", "\u3000"), "an ideographic space"),
    ("photos/%", "a lone percent sign at the end"),
    ("photos/a+%2B+b.jpg", "plus signs and an encoded plus written literally"),
    ("photos/\u00c5ngstr\u00f6m.jpg", "Latin-1 letters"),
    ("photos/\u0130stanbul.jpg", "a dotted capital I"),
    (LONG_SEGMENTS, "a very long key, just under S3's 1,024 bytes"),
    ("photos/" + "\u00e9" * 508, "a long key of two-byte characters (1,023 bytes)"),
]

REFUSED = [
    ("", "is empty"),
    ("/photos/a.jpg", "empty segment"),
    ("photos//a.jpg", "empty segment"),
    ("photos/./a.jpg", 'segment "."'),
    ("photos/../a.jpg", 'segment ".."'),
    ("photos/..;x/a.jpg", 'segment "..;x"'),
    ("..", 'segment ".."'),
    ("photos/a\\b.jpg", "backslash"),
    ("photos/a\nb.jpg", "U+000A"),
    ("photos/a\u0000b.jpg", "U+0000"),
    ("photos/a\u007fb.jpg", "U+007F"),
    ("k" * 1025, "over S3's limit of 1024"),
]


def main():
    here = pathlib.Path(__file__).resolve().parent
    keys = [{"key": key, "what": what, "path": "/" + urllib.parse.quote(key, safe=SAFE)} for key, what in SERVED]
    for entry in keys:
        assert len(entry["key"].encode()) <= 1024, entry["what"]
    keys += [{"key": key, "what": "refused: " + why, "refused": why} for key, why in REFUSED]
    table = {
        "about": (
            "S3 object keys and the one path a viewer requests each by (tests/object-keys/make_table.py "
            "wrote it). `path`: the key's UTF-8 bytes percent-encoded (upper-case hex) except letters, "
            "digits, / and - . _ ~ ! $ & ' ( ) , ; = : @. `refused`: part of the reason every signer here "
            "gives. cfsign's encoder, the url-signer, the CLI, the invalidator and the local stack's "
            "end-to-end test all read this table."
        ),
        "keys": keys,
    }
    text = json.dumps(table, ensure_ascii=True, indent=1) + "\n"
    (here / "keys.json").write_text(text, encoding="ascii")
    print(f"keys.json: {len(SERVED)} served, {len(REFUSED)} refused")


if __name__ == "__main__":
    main()
