-- wrk script: GET a page of 100 messages of one room.
wrk.method = "GET"
wrk.headers["X-API-Key"] = os.getenv("CHATAPI_KEY")
wrk.headers["X-User-Id"] = "bench"
wrk.path = "/rooms/" .. os.getenv("CHATAPI_ROOM") .. "/messages?after_seq=0&limit=100"
