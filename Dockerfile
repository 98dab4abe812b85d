# The web app image: Node 20 on Debian, built once, started with the same `npm start` as on a laptop.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs
EXPOSE 3000
CMD ["npm", "start"]
