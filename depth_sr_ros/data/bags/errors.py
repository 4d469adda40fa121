"""Errors raised while reading RGB-D bags; each message names the bag, topic or transform at fault."""


class BagError(Exception):
    """Any problem turning a bag into RGB-D pairs (the CLI prints it and exits non-zero)."""


class BagReadError(BagError):
    """The bag cannot be opened or read (missing, corrupt, truncated, unknown storage)."""


class TopicError(BagError):
    """A needed topic is missing or the automatic choice is ambiguous (message lists candidates)."""


class DecodeError(BagError):
    """An image message cannot be decoded (unsupported encoding, wrong size, bad payload)."""


class RegistrationError(BagError):
    """Depth must be registered into the colour camera but cannot be (missing info or transform)."""
