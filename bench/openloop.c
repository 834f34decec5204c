/*
 * Open-loop HTTP/1.1 load generator: requests go out on a fixed schedule whatever the server's speed, and each
 * latency is measured from the moment the request was due (no coordinated omission: a request that waits for a free
 * connection waits on the clock). One thread, non-blocking keep-alive connections, one request in flight per
 * connection, pre-built requests: about a third of the CPU per request of a managed generator, so the server it
 * measures keeps the machine (bench/ingress.sh compiles and runs it).
 *
 * usage: openloop URL RATE SECONDS REQUESTS_FILE [CONNECTIONS] [WARMUP_SECONDS]
 *   URL            http://host:port/path (IPv4 literal host)
 *   REQUESTS_FILE  one request per line, "Header1:value1|Header2:value2<TAB>base64 body", sent in turn
 *   WARMUP_SECONDS sent at the same rate first, left out of the percentiles
 * Prints one line: sent= ok= failed= achieved= measured= p50= p90= p99= max= (ms), then "status N: count" for
 * every non-2xx status (0: the connection failed). Exits 0 when the run completed, whatever the answers.
 * OPENLOOP_WINDOWS=1 also prints the ten 100 ms windows (by due time) with the highest latency: one long stall or many.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { char *data; size_t length; } request_t;

typedef struct {
    int fd;
    long index;          /* request in flight, or -1 when idle */
    size_t sent;         /* bytes of the request written so far */
    char buffer[65536];  /* the response being read */
    size_t filled;
} connection_t;

static struct sockaddr_in server;
static request_t *requests;
static size_t request_count;
static double *latencies;
static int *statuses;
static double rate;
static struct timespec start;

static void fail(const char *what) { perror(what); exit(2); }

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - start.tv_sec) * 1e3 + (t.tv_nsec - start.tv_nsec) / 1e6;
}

static int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes base64 text into out (large enough); returns the byte count. */
static size_t base64_decode(const char *text, size_t length, char *out) {
    size_t n = 0;
    unsigned bits = 0;
    int count = 0;
    for (size_t i = 0; i < length; i++) {
        int v = base64_value(text[i]);
        if (v < 0) continue; /* '=' padding, line ends */
        bits = (bits << 6) | (unsigned)v;
        count += 6;
        if (count >= 8) {
            count -= 8;
            out[n++] = (char)((bits >> count) & 0xff);
        }
    }
    return n;
}

static void load_requests(const char *path, const char *host, const char *target) {
    FILE *file = fopen(path, "r");
    if (!file) fail(path);
    size_t capacity = 16;
    requests = malloc(capacity * sizeof *requests);
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &line_capacity, file)) > 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
        char *tab = strchr(line, '\t');
        if (length == 0 || !tab) continue;
        *tab = 0;
        char *body = malloc(strlen(tab + 1));
        size_t body_length = base64_decode(tab + 1, strlen(tab + 1), body);
        size_t size = strlen(target) + strlen(host) + strlen(line) * 2 + body_length + 128;
        char *data = malloc(size);
        int head = snprintf(data, size, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n", target, host, body_length);
        for (char *header = strtok(line, "|"); header; header = strtok(NULL, "|")) {
            char *colon = strchr(header, ':');
            if (!colon) continue;
            head += snprintf(data + head, size - head, "%.*s: %s\r\n", (int)(colon - header), header, colon + 1);
        }
        head += snprintf(data + head, size - head, "\r\n");
        memcpy(data + head, body, body_length);
        free(body);
        if (request_count == capacity) requests = realloc(requests, (capacity *= 2) * sizeof *requests);
        requests[request_count++] = (request_t){ data, head + body_length };
    }
    free(line);
    fclose(file);
    if (request_count == 0) { fprintf(stderr, "%s holds no requests\n", path); exit(2); }
}

static int open_connection(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0) { close(fd); return -1; }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void watch(int epoll, connection_t *c, unsigned events, int op) {
    struct epoll_event e = { .events = events, .data.ptr = c };
    if (epoll_ctl(epoll, op, c->fd, &e) < 0) fail("epoll_ctl");
}

/* Length of a complete response at the start of buf (and its status), or 0 while incomplete, -1 when malformed. */
static long complete_response(const char *buf, size_t filled, int *status) {
    const char *end = memmem(buf, filled, "\r\n\r\n", 4);
    if (!end) return filled >= 60000 ? -1 : 0;
    if (filled < 12 || memcmp(buf, "HTTP/1.", 7) != 0) return -1;
    *status = atoi(buf + 9);
    size_t head = (size_t)(end - buf) + 4;
    long content_length = -1;
    int chunked = 0;
    for (const char *line = memchr(buf, '\n', head) + 1; line < end; line = memchr(line, '\n', end - line + 2) + 1) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = atol(line + 15);
        else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && memmem(line, end - line, "chunked", 7)) chunked = 1;
    }
    if (!chunked) {
        if (content_length < 0) content_length = 0;
        return head + content_length <= filled ? (long)(head + content_length) : 0;
    }
    size_t at = head;
    for (;;) {
        const char *crlf = memmem(buf + at, filled - at, "\r\n", 2);
        if (!crlf) return 0;
        long size = strtol(buf + at, NULL, 16);
        at = (size_t)(crlf - buf) + 2;
        if (size == 0) {
            /* No trailers are expected: the last chunk is followed by an empty line. */
            return at + 2 <= filled ? (long)(at + 2) : 0;
        }
        if (at + size + 2 > filled) return 0;
        at += size + 2;
    }
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The ten 100 ms windows of the measured schedule whose slowest request was slowest. */
static void print_worst_windows(long total, long measured_from) {
    long per_window = (long)(rate / 10);
    if (per_window < 1) per_window = 1;
    long windows = (total - measured_from + per_window - 1) / per_window;
    double *worst = calloc(windows, sizeof *worst);
    for (long i = measured_from; i < total; i++) {
        long w = (i - measured_from) / per_window;
        if (latencies[i] > worst[w]) worst[w] = latencies[i];
    }
    for (int k = 0; k < 10 && k < windows; k++) {
        long best = 0;
        for (long w = 1; w < windows; w++) if (worst[w] > worst[best]) best = w;
        printf("window at %.1f s (monotonic %.3f s): max %.2f ms\n", (double)best / 10,
               start.tv_sec + start.tv_nsec / 1e9 + (double)(measured_from + best * per_window) / rate, worst[best]);
        worst[best] = -1;
    }
    free(worst);
}

/* The p-th percentile of sorted values (nearest rank). */
static double percentile(const double *sorted, long count, double p) {
    long rank = (long)(p / 100.0 * count + 0.999999999) - 1;
    return sorted[rank < 0 ? 0 : rank >= count ? count - 1 : rank];
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: openloop URL RATE SECONDS REQUESTS_FILE [CONNECTIONS] [WARMUP_SECONDS]\n");
        return 2;
    }
    char host[256], target[1024] = "/";
    int port = 80;
    if (sscanf(argv[1], "http://%255[^:/]:%d%1023s", host, &port, target) < 2) {
        fprintf(stderr, "URL must be http://IPv4:port/path\n");
        return 2;
    }
    rate = atof(argv[2]);
    double seconds = atof(argv[3]);
    int connection_count = argc > 5 ? atoi(argv[5]) : 128;
    double warmup = argc > 6 ? atof(argv[6]) : 0;
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) { fprintf(stderr, "host must be an IPv4 address\n"); return 2; }
    char authority[300];
    snprintf(authority, sizeof authority, "%s:%d", host, port);
    load_requests(argv[4], authority, target);

    long total = (long)(rate * (seconds + warmup));
    long measured_from = (long)(rate * warmup);
    latencies = calloc(total, sizeof *latencies);
    statuses = calloc(total, sizeof *statuses);
    long *pending = malloc(total * sizeof *pending); /* due, waiting for a free connection (FIFO) */
    long pending_head = 0, pending_tail = 0;

    int epoll = epoll_create1(0);
    connection_t *connections = calloc(connection_count, sizeof *connections);
    connection_t **idle = malloc(connection_count * sizeof *idle);
    int idle_count = 0;
    for (int i = 0; i < connection_count; i++) {
        connections[i].fd = open_connection();
        if (connections[i].fd < 0) fail("connect");
        connections[i].index = -1;
        watch(epoll, &connections[i], EPOLLIN, EPOLL_CTL_ADD);
        idle[idle_count++] = &connections[i];
    }

    clock_gettime(CLOCK_MONOTONIC, &start);
    long scheduled = 0, finished = 0;
    struct epoll_event events[256];
    while (finished < total) {
        long due = (long)(now_ms() / 1e3 * rate) + 1;
        for (; scheduled < total && scheduled < due; scheduled++) pending[pending_tail++] = scheduled;

        /* Hand due requests to idle connections. */
        while (pending_head < pending_tail && idle_count > 0) {
            connection_t *c = idle[--idle_count];
            c->index = pending[pending_head++];
            c->sent = 0;
            c->filled = 0;
            request_t *r = &requests[c->index % request_count];
            ssize_t n = send(c->fd, r->data, r->length, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN) n = -2;
            if (n == -2) {
                statuses[c->index] = 0;
                latencies[c->index] = now_ms() - c->index / rate * 1e3;
                finished++;
                c->index = -1;
                close(c->fd);
                c->fd = open_connection();
                if (c->fd < 0) fail("reconnect");
                watch(epoll, c, EPOLLIN, EPOLL_CTL_ADD);
                idle[idle_count++] = c;
                continue;
            }
            c->sent = n > 0 ? (size_t)n : 0;
            if (c->sent < r->length) watch(epoll, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        }

        /* Sleep until the next request is due (1 ms ticks), or an answer arrives. */
        int timeout = scheduled < total ? 1 : 100;
        int ready = epoll_wait(epoll, events, 256, timeout);
        if (ready < 0 && errno != EINTR) fail("epoll_wait");
        for (int e = 0; e < ready; e++) {
            connection_t *c = events[e].data.ptr;
            if (c->index < 0) {
                continue; /* an idle connection closed by the server: noticed on its next request */
            }
            request_t *r = &requests[c->index % request_count];
            int broken = (events[e].events & (EPOLLERR | EPOLLHUP)) != 0;
            if (!broken && c->sent < r->length && (events[e].events & EPOLLOUT)) {
                ssize_t n = send(c->fd, r->data + c->sent, r->length - c->sent, MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN) broken = 1;
                else if (n > 0 && (c->sent += n) == r->length) watch(epoll, c, EPOLLIN, EPOLL_CTL_MOD);
            }
            int status = 0;
            long length = 0;
            if (!broken && (events[e].events & EPOLLIN)) {
                for (;;) {
                    ssize_t n = recv(c->fd, c->buffer + c->filled, sizeof c->buffer - c->filled, 0);
                    if (n > 0) { c->filled += n; continue; }
                    if (n == 0 || errno != EAGAIN) broken = 1;
                    break;
                }
                length = complete_response(c->buffer, c->filled, &status);
                if (length < 0) broken = 1;
                if (length > 0) broken = 0; /* answered, even if the server closed right after */
            }
            if (length > 0 || broken) {
                statuses[c->index] = broken ? 0 : status;
                latencies[c->index] = now_ms() - c->index / rate * 1e3;
                finished++;
                c->index = -1;
                if (broken) {
                    close(c->fd);
                    c->fd = open_connection();
                    if (c->fd < 0) fail("reconnect");
                    watch(epoll, c, EPOLLIN, EPOLL_CTL_ADD);
                }
                idle[idle_count++] = c;
            }
        }
    }
    double elapsed = now_ms() / 1e3;

    if (getenv("OPENLOOP_WINDOWS") && strcmp(getenv("OPENLOOP_WINDOWS"), "1") == 0) print_worst_windows(total, measured_from);

    long ok = 0;
    for (long i = 0; i < total; i++) ok += statuses[i] >= 200 && statuses[i] < 300;
    long measured = total - measured_from;
    double *m = latencies + measured_from;
    qsort(m, measured, sizeof *m, by_value);
    printf("sent=%ld ok=%ld failed=%ld achieved=%.0f measured=%ld p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
           total, ok, total - ok, total / elapsed, measured, percentile(m, measured, 50), percentile(m, measured, 90),
           percentile(m, measured, 99), m[measured - 1]);
    long counts[1000] = { 0 };
    for (long i = 0; i < total; i++) counts[statuses[i] >= 0 && statuses[i] < 1000 ? statuses[i] : 0]++;
    for (int s = 0; s < 1000; s++) {
        if (counts[s] > 0 && (s < 200 || s >= 300)) printf("status %d: %ld\n", s, counts[s]);
    }
    return 0;
}
