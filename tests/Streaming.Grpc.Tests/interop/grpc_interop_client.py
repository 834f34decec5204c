#!/usr/bin/python3
"""Interop client: Python grpcio (an independent gRPC implementation) against our Kestrel binding.

Run by InteropTests with Debian's /usr/bin/python3 (python3-grpcio, python3-protobuf,
protobuf-compiler, protobuf-compiler-grpc). Stubs are generated from contracts/ into --work
at run time, so the test always checks the contracts as they are in the tree.

Talks to the driving test over stdout: "READY <what>" lines ask it to make a change the client
then waits for; "ok <case>" / "FAIL <case>: <why>" report each case; the last line counts them.
"""

import argparse
import os
import queue
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Streaming.Testing", "interop"))
from grpc_stubs import generate, load  # noqa: E402  (shared with the other interop clients)


WATCH_TIMEOUT = 20.0


def say(line):
    print(line, flush=True)


class Cases:
    def __init__(self, target, token, work):
        import grpc
        from google.protobuf import descriptor_pb2, descriptor_pool

        self.grpc = grpc
        self.descriptor_pb2 = descriptor_pb2
        self.descriptor_pool = descriptor_pool
        sys.path.insert(0, work)
        from status.v1 import document_status_pb2 as status_pb2
        from status.v1 import document_status_pb2_grpc as status_grpc

        self.pb = status_pb2
        self.health = load(work, "grpc/health/v1/health_pb2.py", "interop_health_pb2")
        self.refl = load(work, "grpc/reflection/v1/reflection_pb2.py", "interop_reflection_v1_pb2")
        self.refl_alpha = load(work, "grpc/reflection/v1alpha/reflection_pb2.py", "interop_reflection_v1alpha_pb2")
        self.channel = grpc.insecure_channel(target)
        self.stub = status_grpc.DocumentStatusServiceStub(self.channel)
        self.auth = (("authorization", "Bearer " + token),)
        self.passed = 0
        self.failed = 0

    # -- helpers ---------------------------------------------------------------------------

    def run(self, name, case):
        try:
            case()
            self.passed += 1
            say("ok " + name)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failed += 1
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            say("FAIL %s: %s" % (name, detail.replace("\n", " | ")))

    def expect_error(self, code, call, *args, **kwargs):
        try:
            call(*args, **kwargs)
        except self.grpc.RpcError as error:
            if error.code() != code:
                raise AssertionError("expected %s, got %s: %s" % (code, error.code(), error.details()))
            return error
        raise AssertionError("expected %s, call succeeded" % code)

    def check_health(self, service, metadata=None):
        call = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=self.health.HealthCheckRequest.SerializeToString,
            response_deserializer=self.health.HealthCheckResponse.FromString)
        return call(self.health.HealthCheckRequest(service=service), timeout=10, metadata=metadata)

    def reflection_session(self, module, path):
        """A reflection stream that sends one request at a time and returns its answer."""
        requests = queue.Queue()

        def feed():
            while True:
                item = requests.get()
                if item is None:
                    return
                yield item

        call = self.channel.stream_stream(
            path,
            request_serializer=module.ServerReflectionRequest.SerializeToString,
            response_deserializer=module.ServerReflectionResponse.FromString)
        responses = call(feed(), metadata=self.auth, timeout=30)

        def ask(**fields):
            requests.put(module.ServerReflectionRequest(**fields))
            return next(responses)

        def close():
            requests.put(None)
            for extra in responses:
                raise AssertionError("unexpected extra response %r" % extra)

        return ask, close

    # -- cases ---------------------------------------------------------------------------------

    def unary(self):
        state = self.stub.GetDocumentStatus(self.pb.GetDocumentStatusRequest(document_token="doc-1"), metadata=self.auth, timeout=10)
        assert state.document_token == "doc-1", state
        assert state.status == self.pb.DOCUMENT_STATUS_IN_PROGRESS, state
        assert state.event_count == 2, state
        assert state.last_event.event_id == "evt-2", state
        assert state.last_event.occurred_at.seconds > 0, state
        assert state.provider == "inkless", state

    def list_events_paged(self):
        first = self.stub.ListDocumentEvents(self.pb.ListDocumentEventsRequest(document_token="doc-1", page_size=1), metadata=self.auth, timeout=10)
        second = self.stub.ListDocumentEvents(self.pb.ListDocumentEventsRequest(document_token="doc-1", page_size=1, page_token=first.next_page_token), metadata=self.auth, timeout=10)
        assert [e.event_id for e in first.events] == ["evt-1"], first
        assert [e.event_id for e in second.events] == ["evt-2"], second
        assert second.next_page_token == "", second

    def list_documents_filtered(self):
        response = self.stub.ListDocuments(self.pb.ListDocumentsRequest(statuses=[self.pb.DOCUMENT_STATUS_COMPLETED]), metadata=self.auth, timeout=10)
        assert [d.document_token for d in response.documents] == ["doc-2"], response

    def not_found_with_encoded_message(self):
        token = "missing-caf\u00e9/100%"
        error = self.expect_error(self.grpc.StatusCode.NOT_FOUND, self.stub.GetDocumentStatus,
                                  self.pb.GetDocumentStatusRequest(document_token=token), metadata=self.auth, timeout=10)
        expected = "document '%s' is not known" % token
        assert error.details() == expected, "details %r, expected %r" % (error.details(), expected)

    def invalid_argument(self):
        error = self.expect_error(self.grpc.StatusCode.INVALID_ARGUMENT, self.stub.GetDocumentStatus,
                                  self.pb.GetDocumentStatusRequest(), metadata=self.auth, timeout=10)
        assert "document_token" in error.details(), error.details()
        self.expect_error(self.grpc.StatusCode.INVALID_ARGUMENT, self.stub.ListDocuments,
                          self.pb.ListDocumentsRequest(page_size=-1), metadata=self.auth, timeout=10)

    def deadline_exceeded_unary(self):
        self.expect_error(self.grpc.StatusCode.DEADLINE_EXCEEDED, self.stub.GetDocumentStatus,
                          self.pb.GetDocumentStatusRequest(document_token="slow"), metadata=self.auth, timeout=0.3)

    def deadline_exceeded_stream(self):
        stream = self.stub.WatchDocumentStatus(self.pb.WatchDocumentStatusRequest(document_token="doc-2"), metadata=self.auth, timeout=2.0)
        first = next(stream)
        assert first.kind == self.pb.DOCUMENT_CHANGE_KIND_INITIAL, first
        self.expect_error(self.grpc.StatusCode.DEADLINE_EXCEEDED, next, stream)

    def unimplemented_method(self):
        call = self.channel.unary_unary("/streaming.status.v1.DocumentStatusService/NoSuchMethod",
                                        request_serializer=lambda m: m.SerializeToString(),
                                        response_deserializer=self.pb.DocumentState.FromString)
        self.expect_error(self.grpc.StatusCode.UNIMPLEMENTED, call, self.pb.GetDocumentStatusRequest(document_token="doc-1"),
                          metadata=self.auth, timeout=10)

    def unauthenticated(self):
        missing = self.expect_error(self.grpc.StatusCode.UNAUTHENTICATED, self.stub.GetDocumentStatus,
                                    self.pb.GetDocumentStatusRequest(document_token="doc-1"), timeout=10)
        assert "authorization" in missing.details(), missing.details()
        wrong = "Bearer guessed-0123456789-secret"
        error = self.expect_error(self.grpc.StatusCode.UNAUTHENTICATED, self.stub.GetDocumentStatus,
                                  self.pb.GetDocumentStatusRequest(document_token="doc-1"),
                                  metadata=(("authorization", wrong),), timeout=10)
        assert "guessed" not in error.details(), error.details()

    def watch_initial_then_update(self):
        stream = self.stub.WatchDocumentStatus(self.pb.WatchDocumentStatusRequest(document_token="doc-1"), metadata=self.auth, timeout=WATCH_TIMEOUT)
        initial = next(stream)
        assert initial.kind == self.pb.DOCUMENT_CHANGE_KIND_INITIAL, initial
        assert initial.document.status == self.pb.DOCUMENT_STATUS_IN_PROGRESS, initial
        say("READY watch doc-1")
        update = next(stream)
        assert update.kind == self.pb.DOCUMENT_CHANGE_KIND_UPDATED, update
        assert update.document.status == self.pb.DOCUMENT_STATUS_COMPLETED, update
        assert update.event.event_id == "evt-interop", update
        stream.cancel()

    def health_check(self):
        serving = self.health.HealthCheckResponse.SERVING
        assert self.check_health("").status == serving
        assert self.check_health("streaming.status.v1.DocumentStatusService").status == serving
        self.expect_error(self.grpc.StatusCode.NOT_FOUND, self.check_health, "no.such.Service")

    def health_watch(self):
        call = self.channel.unary_stream(
            "/grpc.health.v1.Health/Watch",
            request_serializer=self.health.HealthCheckRequest.SerializeToString,
            response_deserializer=self.health.HealthCheckResponse.FromString)
        stream = call(self.health.HealthCheckRequest(service="interop.Flip"), timeout=WATCH_TIMEOUT)
        first = next(stream)
        assert first.status == self.health.HealthCheckResponse.SERVICE_UNKNOWN, first
        say("READY health interop.Flip")
        second = next(stream)
        assert second.status == self.health.HealthCheckResponse.SERVING, second
        stream.cancel()

    def reflection_v1(self):
        ask, close = self.reflection_session(self.refl, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
        listed = ask(list_services="")
        names = sorted(s.name for s in listed.list_services_response.service)
        expected = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection", "streaming.status.v1.DocumentStatusService"]
        assert names == expected, names

        by_symbol = ask(file_containing_symbol="streaming.status.v1.DocumentStatusService")
        files = {}
        for raw in by_symbol.file_descriptor_response.file_descriptor_proto:
            proto = self.descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[proto.name] = proto
        assert "status/v1/document_status.proto" in files, sorted(files)
        assert "google/protobuf/timestamp.proto" in files, sorted(files)

        # Rebuild the service from what reflection sent, dependencies first, as tools do.
        pool = self.descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name in added:
                return
            for dependency in files[name].dependency:
                add(dependency)
            pool.Add(files[name])
            added.add(name)

        add("status/v1/document_status.proto")
        service = pool.FindServiceByName("streaming.status.v1.DocumentStatusService")
        watch = service.methods_by_name["WatchDocumentStatus"]
        assert watch.output_type.full_name == "streaming.status.v1.DocumentStatusChange", watch.output_type.full_name
        changed_at = pool.FindMessageTypeByName("streaming.status.v1.DocumentState").fields_by_name["updated_at"]
        assert changed_at.message_type.full_name == "google.protobuf.Timestamp"

        by_name = ask(file_by_filename="grpc/health/v1/health.proto")
        health = self.descriptor_pb2.FileDescriptorProto.FromString(by_name.file_descriptor_response.file_descriptor_proto[0])
        assert health.package == "grpc.health.v1", health.package

        missing = ask(file_containing_symbol="no.such.Symbol")
        assert missing.error_response.error_code == self.grpc.StatusCode.NOT_FOUND.value[0], missing
        close()

    def reflection_v1alpha(self):
        ask, close = self.reflection_session(self.refl_alpha, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        listed = ask(list_services="*")
        assert "streaming.status.v1.DocumentStatusService" in [s.name for s in listed.list_services_response.service], listed
        by_symbol = ask(file_containing_symbol="streaming.status.v1.DocumentStatusService.GetDocumentStatus")
        names = [self.descriptor_pb2.FileDescriptorProto.FromString(raw).name
                 for raw in by_symbol.file_descriptor_response.file_descriptor_proto]
        assert names[0] == "status/v1/document_status.proto", names
        close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--contracts", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()

    generate(args.contracts, args.work)
    cases = Cases(args.target, args.token, args.work)
    for name in ["health_check", "unauthenticated", "unary", "list_events_paged", "list_documents_filtered",
                 "not_found_with_encoded_message", "invalid_argument", "deadline_exceeded_unary",
                 "deadline_exceeded_stream", "unimplemented_method", "watch_initial_then_update",
                 "health_watch", "reflection_v1", "reflection_v1alpha"]:
        cases.run(name, getattr(cases, name))
    say("interop: %d passed, %d failed" % (cases.passed, cases.failed))
    return 0 if cases.failed == 0 and cases.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
