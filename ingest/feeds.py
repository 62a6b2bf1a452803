"""RSS and Atom feeds (feedparser): each entry is a news document with its own link, date and author.

The XML is first parsed by defusedxml, which refuses entity declarations, as every XML file is; feedparser
then reads the feed from the checked text (never from a URL: nothing is fetched).
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from ingest.document import Document, ReadError

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_FEED_ROOT = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.DOTALL)


def is_feed(text: str) -> bool:
    """Whether an XML text is an RSS or Atom feed (its root element is rss, feed or rdf:RDF)."""
    return bool(_FEED_ROOT.match(text[:4096]))


def read_feed(path: Path, text: str, encoding: str) -> list[Document]:
    """One document per entry: its title, text (the entry's HTML as plain text), link, date and author."""
    import feedparser
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    from ingest.readers import html_text, iso_date, web_address

    body = _XML_DECLARATION.sub("", text)  # the text is decoded already: its declared encoding no longer holds
    try:
        fromstring(body)
    except DefusedXmlException as error:
        raise ReadError(path, f"refused: {error} (entity declarations are not read, for safety)") from error
    except ParseError as error:
        raise ReadError(path, f"not a well-formed feed: {error}") from error
    feed = feedparser.parse(('<?xml version="1.0" encoding="utf-8"?>' + body).encode("utf-8"))
    if not feed.entries:
        raise ReadError(path, "the feed has no entries (is it RSS or Atom?)")
    publisher = feed.feed.get("title")
    documents = []
    for number, entry in enumerate(feed.entries, 1):
        title = " ".join(entry.get("title", "").split()) or None
        content = entry.get("content") or []
        html = content[0].get("value", "") if content else entry.get("summary", "")
        entry_text = html_text(html)
        if not entry_text and not title:
            raise ReadError(f"{path}#{number}", f"entry {number} has neither a title nor a text")
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        date = time.strftime("%Y-%m-%d", parsed) if parsed else iso_date(entry.get("published"))
        identity = entry.get("id") or entry.get("link") or f"{title}\n{entry_text}"
        documents.append(
            Document(
                text=f"{title}\n{entry_text}" if title and entry_text else (title or entry_text),
                source=f"{path}#entry-{hashlib.sha1(identity.encode('utf-8')).hexdigest()[:12]}",
                headline=title,
                date=date,
                url=web_address(entry.get("link")),
                author=entry.get("author") or None,
                publisher=publisher or None,
                encoding=encoding,
                metadata={"record": number, "format": "feed"},
            )
        )
    return documents
