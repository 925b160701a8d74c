"""Email channel. Parsing inbound mail never writes anything:

- parse.py: `parse_message(raw bytes) -> ParsedMail`, the entry point;
- mime.py: which MIME parts are the body and which are attachments;
- headers.py, charsets.py: RFC 2047/2231 decoding and charset fall-backs;
- html.py: HTML to text, HTML sanitising; reply.py: quoted history and signatures; noise.py: auto-replies
  and bounces;
- cli.py: `flask mail parse FILE...`.
"""
