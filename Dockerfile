# twitter-connector container image.
#
# Build stage: Debian 13 "trixie", running the same `make` as everywhere else (the pinned
# library sources are fetched through apt and verified against third_party/versions.txt).
# Final stage: FROM scratch with only the static binary, a CA bundle, /etc/hosts,
# /etc/resolv.conf placeholders and a /data directory owned by the non-root user. There is no
# shell in the image, so the health check is the binary itself (`healthcheck` GETs /healthz).
# tests/integration/scratch_container_test.cc proves this layout works in an empty root.

FROM debian:trixie-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make binutils ca-certificates curl apt gpgv \
      debian-archive-keyring xz-utils bzip2 gzip tar patch \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" \
 && mkdir -p /out/data /out/etc/ssl/certs \
 && cp build/twitter-connector /out/twitter-connector \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt \
 && printf '127.0.0.1 localhost\n::1 localhost\n' > /out/etc/hosts \
 && : > /out/etc/resolv.conf \
 && chmod 0700 /out/data

FROM scratch
COPY --from=build /out/twitter-connector /twitter-connector
COPY --from=build /out/etc/ /etc/
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
EXPOSE 8080
ENV CONNECTOR_LISTEN=0.0.0.0:8080 CONNECTOR_DATA_DIR=/data
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/twitter-connector", "healthcheck"]
ENTRYPOINT ["/twitter-connector"]
CMD ["serve"]
