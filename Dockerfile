# syntax=docker/dockerfile:1
# Builds the single hookflow binary; the compose file runs it as `server`
# and as `worker`. The binary is pure Go (SQLite via modernc.org/sqlite), so
# it runs on a static base image.
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/hookflow ./cmd/hookflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hookflow /hookflow
WORKDIR /data
ENV HOOKFLOW_DATA_DIR=/data \
    HOOKFLOW_HTTP_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/hookflow"]
CMD ["server"]
