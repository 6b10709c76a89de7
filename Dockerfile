# The service image: one `capacity` CLI; docker-compose.yml chooses the subcommand.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# librdkafka (for @confluentinc/kafka-javascript) and RocksDB build from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
      libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev && rm -rf /var/lib/apt/lists/*
ENV CKJS_LINKING=dynamic
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The planner console, bundled by Vite into dist/console in the same build.
COPY console ./console
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 zlib1g libzstd1 liblz4-1 libsasl2-2 \
      && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
USER node
ENTRYPOINT []
CMD ["node", "bin/capacity.js", "--help"]
