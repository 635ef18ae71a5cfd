FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin herald

FROM debian:bookworm-slim
COPY --from=build /src/target/release/herald /usr/local/bin/herald
EXPOSE 8081
VOLUME /data
ENV HERALD_LISTEN=0.0.0.0:8081 HERALD_DATABASE_URL=sqlite:///data/herald.db
ENTRYPOINT ["herald"]
CMD ["serve"]
