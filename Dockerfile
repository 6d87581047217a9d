# The llmcost image: every entry point of the package (pricing, alerting,
# compaction-worker, api, setup …), chosen by the container's command.
# It talks to Kafka and ClickHouse servers (KAFKA_BROKERS, CLICKHOUSE_URL), so
# it needs neither Java nor the embedded store's data directory.
FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev && npm cache clean --force
COPY . .

ENV NODE_ENV=production \
    LLMCOST_HOST=0.0.0.0 \
    LLMCOST_PORT=8787 \
    LLMCOST_DATA_DIR=/data
EXPOSE 8787
ENTRYPOINT ["node", "bin/llmcost.js"]
CMD ["--help"]
