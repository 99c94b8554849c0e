"""markupsafe's escape and Markup, for functions that escape HTML the way
Google's samples do (from markupsafe import escape). Stand-in carried by Kiln."""

__version__ = "2.1.5"


class Markup(str):
    """A string that is already safe HTML: escape() leaves it alone."""

    __slots__ = ()

    def __new__(cls, base="", *args, **kwargs):
        if hasattr(base, "__html__"):
            base = base.__html__()
        return super().__new__(cls, base, *args, **kwargs)

    def __html__(self):
        return self

    def __add__(self, other):
        if isinstance(other, str) or hasattr(other, "__html__"):
            return Markup(str.__add__(self, escape(other)))
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, str) or hasattr(other, "__html__"):
            return escape(other).__add__(self)
        return NotImplemented

    def __mod__(self, arg):
        if isinstance(arg, tuple):
            arg = tuple(escape(a) for a in arg)
        else:
            arg = escape(arg)
        return Markup(str.__mod__(self, arg))

    def format(self, *args, **kwargs):
        return Markup(str.format(self, *[escape(a) for a in args], **{k: escape(v) for k, v in kwargs.items()}))

    def striptags(self):
        import re
        return " ".join(re.sub(r"<[^>]*>", "", self).split())

    def unescape(self):
        import html
        return html.unescape(str(self))

    @classmethod
    def escape(cls, s):
        return escape(s)


def escape(s):
    """s with & < > ' " replaced by HTML entities, as a Markup (unchanged if it is one)."""
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return Markup(str(s).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;"))


def escape_silent(s):
    return Markup() if s is None else escape(s)


def soft_str(s):
    return s if isinstance(s, str) else str(s)


__all__ = ["Markup", "escape", "escape_silent", "soft_str"]
