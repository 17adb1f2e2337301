# Container image for the ips-api service.
#
#   docker build -t ips-api .
#   docker run -p 8080:8080 -e IPS_JWT_SECRET=... ips-api

FROM rust:1.95-bookworm AS builder

# libpq-dev provides the PostgreSQL client library that diesel links against.
# SQLite is compiled from source by libsqlite3-sys, so it needs no system package.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Compile the dependencies against placeholder sources first, so this layer is
# reused until Cargo.toml, Cargo.lock or rust-toolchain.toml changes.
# rust-toolchain.toml pins the compiler, and rustup installs that toolchain and
# its listed components on the first cargo call if the image does not have them.
COPY rust-toolchain.toml Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

# migrations/ is embedded into the binary at compile time.
COPY src ./src
COPY migrations ./migrations
# COPY keeps the files' original modification times, which can be older than the
# placeholder build, so touch the crate roots to make cargo rebuild the crate.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked


FROM debian:bookworm-slim

# libpq5 is the PostgreSQL client library, ca-certificates provides the system CA
# bundle for TLS clients, and curl runs the HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ips \
    && useradd --system --uid 10001 --gid ips --home-dir /var/lib/ips-api \
        --no-create-home --shell /usr/sbin/nologin ips \
    && install -d -o ips -g ips -m 0750 /var/lib/ips-api

COPY --from=builder /build/target/release/ips-api /usr/local/bin/ips-api

# IPS_DATA_DIR contains the default SQLite database and the token-signing secret
# generated when IPS_JWT_SECRET is unset. Mount a volume there to keep them when
# the container is replaced. MALLOC_ARENA_MAX=2 stops glibc from keeping freed
# memory in one arena per blocking thread (see docs/BENCHMARKS.md).
ENV IPS_DATA_DIR=/var/lib/ips-api \
    IPS_BIND=0.0.0.0:8080 \
    IPS_LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2

WORKDIR /var/lib/ips-api
# A numeric user lets orchestrators check that the container does not run as root.
USER 10001:10001

EXPOSE 8080

# The liveness probe does not touch the database. The port is taken from IPS_BIND,
# and the probe connects over loopback, so it fails if IPS_BIND names another
# specific address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${IPS_BIND##*:}/health/live" || exit 1

ENTRYPOINT ["ips-api"]
CMD ["serve"]
