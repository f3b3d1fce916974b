# Pair (c)'s Gunicorn side: the same two answers as bench/servers/app.mjs, as a plain WSGI app.
# `/` answers a short plaintext body, `/json` a small JSON object; both set Content-Length.
# usage: gunicorn --chdir bench/servers -k sync -w 2 -b 127.0.0.1:PORT wsgi_app:app
import json

TEXT = b'Hello, World!'
TEXT_HEADERS = [('content-type', 'text/plain'), ('content-length', str(len(TEXT)))]


def app(environ, start_response):
    if environ['PATH_INFO'] == '/json':
        body = json.dumps({'message': 'Hello, World!'}).encode()
        start_response('200 OK', [('content-type', 'application/json'), ('content-length', str(len(body)))])
        return [body]
    start_response('200 OK', list(TEXT_HEADERS))
    return [TEXT]
