"""The two requests a mirror makes most, without botocore's layers: a ListObjectsV2 page and a
GetObject, signed here (AWS Signature V4, hmac and hashlib: C) and sent through one urllib3
pool. botocore spends ~40 ms of Python per 1,000 listed keys parsing the XML into dicts and
~1.9 ms per GET on hooks and signing; this spends a fraction of that, and a listing page that is
byte for byte the one of the last poll is not parsed at all (mirror.py keeps its hash).

boto3 still decides everything it knows best: the credentials (AWS_* variables, a profile, an
instance role; read again for each request, so refreshed ones are used), the endpoint, the
addressing style and the region, all read from the mirror's client. Anything this does not
expect (a redirect, an error reply, a broken connection) is answered by redoing the request
through the boto3 client, so the errors and their words are botocore's as before.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit

import urllib3

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class WireError(Exception):
    """The request did not give the expected answer; redo it through boto3 (for its error)."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        """The reply's HTTP status; None when there was no reply (no connection, cut)."""


@dataclass(frozen=True)
class Page:
    body: bytes
    """The <Contents> elements, as sent: what a page's hash is taken of."""
    truncated: bool


def plain_requests_fit(client: Any) -> bool:
    """Whether this client's requests can go the plain way: not through a proxy (boto3
    does those). The certificates are botocore's (AWS_CA_BUNDLE, a profile's ca_bundle)."""
    import urllib.request

    if client.meta.config.proxies:
        return False
    url = urlsplit(client.meta.endpoint_url)
    proxies = urllib.request.getproxies()
    return url.scheme not in proxies or bool(urllib.request.proxy_bypass(url.hostname or ""))


class Wire:
    def __init__(self, client: Any, bucket: str, *, workers: int, connect_timeout: float,
                 read_timeout: float) -> None:
        url = urlsplit(client.generate_presigned_url("list_objects_v2",
                                                     Params={"Bucket": bucket}))
        self._scheme, self._host = url.scheme, url.netloc
        self._base = url.path.rstrip("/")
        """'/bucket' (path style) or '' (the bucket in the host name)."""
        self._region = client.meta.region_name or "us-east-1"
        self._credentials = client._request_signer._credentials  # boto3's own, refreshed
        from botocore.httpsession import get_cert_path

        verify = getattr(client._endpoint.http_session, "_verify", True)  # botocore's choice
        tls: dict[str, Any] = ({"cert_reqs": "CERT_NONE"} if verify is False
                               else {"ca_certs": get_cert_path(verify)})
        self._pool = urllib3.PoolManager(
            num_pools=2, maxsize=workers, block=False, retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout), **tls)
        self._keys: dict[str, bytes] = {}

    def list_page(self, prefix: str, start_after: str, max_keys: int = 1000) -> Page:
        query = {"list-type": "2", "encoding-type": "url", "max-keys": str(max_keys),
                 "prefix": prefix}
        if start_after:
            query["start-after"] = start_after
        reply = self._request(self._base + "/", query, preload=True)
        try:
            if reply.status != 200:
                raise WireError(f"HTTP {reply.status}", reply.status)
            data: bytes = reply.data
        finally:
            reply.release_conn()
        first = data.find(b"<Contents>")
        last = data.rfind(b"</Contents>")
        body = data[first:last + len(b"</Contents>")] if first >= 0 and last > first else b""
        head = data[:first] if first >= 0 else data
        truncated = b"<IsTruncated>true</IsTruncated>" in head or (
            b"<IsTruncated>true</IsTruncated>" in data[last:] if last >= 0 else False)
        return Page(body, truncated)

    def get(self, key: str) -> Any:
        """The open reply of a GET (status 200, body not read), or WireError; 404 and 403
        replies are returned as they are (the caller says what they mean)."""
        reply = self._request(self._base + "/" + quote(key, safe="/~"), {}, preload=False)
        if reply.status in (200, 403, 404):
            return reply
        reply.drain_conn()
        reply.release_conn()
        raise WireError(f"HTTP {reply.status}", reply.status)

    def _request(self, path: str, query: dict[str, str], *, preload: bool) -> Any:
        canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                                   for k, v in sorted(query.items()))
        headers = self._sign("GET", path, canonical_query)
        url = f"{self._scheme}://{self._host}{path}"
        if canonical_query:
            url += "?" + canonical_query
        try:
            return self._pool.request("GET", url, headers=headers, preload_content=preload,
                                      decode_content=False, redirect=False)
        except urllib3.exceptions.HTTPError as e:
            raise WireError(str(e)) from None

    def _sign(self, method: str, path: str, canonical_query: str) -> dict[str, str]:
        if self._credentials is None:  # boto3 says why (NoCredentialsError)
            raise WireError("no credentials")
        creds = self._credentials.get_frozen_credentials()
        now = time.gmtime()
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", now)
        day = amz_date[:8]
        headers = {"host": self._host, "x-amz-content-sha256": EMPTY_SHA256,
                   "x-amz-date": amz_date}
        if creds.token:
            headers["x-amz-security-token"] = creds.token
        names = sorted(headers)
        signed = ";".join(names)
        canonical = "\n".join([method, path, canonical_query,
                               "".join(f"{n}:{headers[n]}\n" for n in names), signed,
                               EMPTY_SHA256])
        scope = f"{day}/{self._region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(self._key(creds.secret_key, day), to_sign.encode(),
                             hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={signature}")
        return headers

    def _key(self, secret: str, day: str) -> bytes:
        cached = self._keys.get(day + secret)
        if cached is None:
            key = ("AWS4" + secret).encode()
            for part in (day, self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._keys = {day + secret: key}
            cached = key
        return cached

    def close(self) -> None:
        self._pool.clear()


def parse_contents(body: bytes) -> list[tuple[str, str, int, str]]:
    """A page's <Contents> elements: (key, ETag, size, LastModified text) each, in order."""
    if not body:
        return []
    root = ET.fromstring(b"<L xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + body
                         + b"</L>")
    out = []
    for item in root:
        key = etag = modified = ""
        size = 0
        for field in item:
            tag = field.tag.rpartition("}")[2]
            if tag == "Key":
                key = unquote_plus(field.text or "")
            elif tag == "ETag":
                etag = field.text or ""
            elif tag == "Size":
                size = int(field.text or 0)
            elif tag == "LastModified":
                modified = field.text or ""
        out.append((key, etag, size, modified))
    return out
