FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin herald

FROM debian:bookworm-slim
# curl only for the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin herald \
    && mkdir -p /data && chown herald:herald /data
COPY --from=build /src/target/release/herald /usr/local/bin/herald
# Never root: the server needs nothing but its port (above 1024) and /data.
USER herald
WORKDIR /data
EXPOSE 8081
VOLUME /data
ENV HERALD_LISTEN=0.0.0.0:8081 HERALD_DATABASE_URL=sqlite:///data/herald.db
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8081/health/ready || exit 1
ENTRYPOINT ["herald"]
CMD ["serve"]
