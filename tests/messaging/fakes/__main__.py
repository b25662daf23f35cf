from tests.messaging.fakes.process import _serve

_serve()
