"""Serial baseline: the same client-credentials token requests, one after
another, with Python `requests`. Prints `requests_per_second=<float>`."""
import sys
import time

import requests


def main() -> None:
    base, tenant_prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    session = requests.Session()
    started = time.perf_counter()
    for i in range(count):
        response = session.post(
            f"{base}/{tenant_prefix}/oauth2/v2.0/token",
            data={
                "client_id": f"00000000-0000-4000-8000-{i:012d}",
                "client_secret": f"bench-secret-{i}",
                "scope": "https://graph.microsoft.com/.default",
                "grant_type": "client_credentials",
            },
            timeout=30,
        )
        response.raise_for_status()
        response.json()["access_token"]
    elapsed = time.perf_counter() - started
    print(f"requests_per_second={count / elapsed:.2f}")


if __name__ == "__main__":
    main()
