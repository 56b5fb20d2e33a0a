-- wrk: revalidation of a cache the client holds: If-None-Match with its ETag, answered 304.
wrk.headers["If-None-Match"] = os.getenv("ETAG")
