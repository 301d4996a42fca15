from households.readlog.services import request_entry_write


class ReadLogMiddleware:
    """Writes the read-log row of a request (at most one) once its response is ready.

    Below AuthenticationMiddleware. A streamed download is logged when it starts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        request_entry_write(request, response)
        return response
