# syntax=docker/dockerfile:1
# SmartAIPlatForm: the self-contained `smartai` binary on Debian slim, as a non-root user.
#
#   docker build -t smartai .
#   docker run -p 3000:3000 -v smartai-data:/data smartai            # serve (embedded SQLite under /data)
#   docker run --env-file .env smartai worker                         # any other subcommand
#
# The build stage runs scripts/build-release, the same release build as ./scripts/run
# (scripts/check-release-build tests its output without Docker).

ARG RUST_VERSION=1.95
ARG NODE_VERSION=20
ARG DEBIAN_RELEASE=bookworm

FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS node

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
# Node and npm for the build tools cargo-leptos runs (sass, wasm-opt from package.json).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
WORKDIR /src
ENV CARGO_TARGET_DIR=/var/cache/smartai/target CARGO_TERM_COLOR=never
# The build tools (wasm target, cargo-leptos, wasm-bindgen-cli, npm packages) in a layer of their
# own: it is rebuilt only when their pins change (scripts/lib.sh, Cargo.lock, package*.json).
COPY Cargo.lock package.json package-lock.json ./
COPY scripts/lib.sh scripts/build-release scripts/
# (Their own compilation goes to a throwaway target dir, not into the layer.)
RUN CARGO_TARGET_DIR=/tmp/tools-target scripts/build-release --tools && rm -rf /tmp/tools-target
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/var/cache/smartai/target,sharing=locked \
    scripts/build-release /out/smartai \
 && /out/smartai --version

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
# The repository URL; the release workflow passes it (and docker/metadata-action sets it again).
ARG SOURCE=
LABEL org.opencontainers.image.title="SmartAIPlatForm" \
      org.opencontainers.image.description="SmartAIPlatForm: the smartai web app, REST API and job worker in one self-contained binary" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.vendor="SmartAIPlatForm" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/debian:${DEBIAN_RELEASE}-slim"
# ca-certificates: TLS to PostgreSQL, S3, SMTP and OpenID Connect providers. Nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 smartai \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin smartai \
 && install -d -o 10001 -g 10001 -m 0750 /data
COPY --from=build /out/smartai /usr/local/bin/smartai
USER 10001:10001
WORKDIR /data
ENV DATA_DIR=/data \
    LISTEN_ADDR=0.0.0.0:3000 \
    LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000
# No curl in the image: bash's /dev/tcp asks /health/live on the port of LISTEN_ADDR. A container
# running `smartai worker` serves no HTTP: it is healthy while `smartai jobs status` reaches its queue.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "case \" $(tr '\\0' ' ' </proc/1/cmdline 2>/dev/null) \" in *' worker '*) exec smartai jobs status >/dev/null ;; esac; exec 3<>/dev/tcp/127.0.0.1/${LISTEN_ADDR##*:} && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '^HTTP/1\\.[01] 200' <&3"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["smartai"]
CMD ["serve"]
