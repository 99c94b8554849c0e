"""cloudevents.exceptions (the ones functions catch)."""


class GenericException(Exception):
    pass


class MissingRequiredFields(GenericException):
    pass


class InvalidRequiredFields(GenericException):
    pass


class InvalidStructuredJSON(GenericException):
    pass


class InvalidHeadersFormat(GenericException):
    pass


class DataMarshallerError(GenericException):
    pass


class DataUnmarshallerError(GenericException):
    pass
