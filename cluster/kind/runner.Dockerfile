# The cluster runner image: the app's code plus the docker CLI, kind and istioctl pinned to the versions the kind
# driver expects. It talks to the host's Docker through the mounted socket and runs `ica cluster run`.
FROM node:20-bookworm-slim
ARG TARGETARCH=amd64
ARG DOCKER_CLI_VERSION=27.3.1
ARG KIND_VERSION=v0.27.0
ARG ISTIO_VERSION=1.26.2
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && arch="$([ "$TARGETARCH" = arm64 ] && echo aarch64 || echo x86_64)" \
 && curl -fsSL "https://download.docker.com/linux/static/stable/${arch}/docker-${DOCKER_CLI_VERSION}.tgz" | tar -xz -C /usr/local/bin --strip-components=1 docker/docker \
 && curl -fsSLo /usr/local/bin/kind "https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-${TARGETARCH}" \
 && chmod +x /usr/local/bin/kind \
 && curl -fsSL "https://github.com/istio/istio/releases/download/${ISTIO_VERSION}/istioctl-${ISTIO_VERSION}-linux-${TARGETARCH}.tar.gz" | tar -xz -C /usr/local/bin istioctl \
 && docker --version && kind version && istioctl version --remote=false
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
CMD ["node", "bin/ica.mjs", "cluster", "run", "--driver", "kind"]
