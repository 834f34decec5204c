#!/usr/bin/python3
"""Interop client: Python grpcio (an independent gRPC implementation) against the REAL status service.

Run by StatusInteropTests with Debian's /usr/bin/python3 (python3-grpcio, python3-protobuf, protobuf-compiler,
protobuf-compiler-grpc). Stubs are generated from contracts/ into --work at run time.

The driving test has projected two documents before starting this script:
  py-doc   PENDING then IN_PROGRESS (2 events, last py-doc-signed)
  py-done  PENDING, IN_PROGRESS, a bounce, COMPLETED (4 events)
"READY <what>" lines ask the test to produce an event; "ok <case>" / "FAIL <case>: <why>" report each case.
"""

import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Streaming.Testing", "interop"))
from grpc_stubs import generate, load  # noqa: E402  (shared with the other interop clients)


WATCH_TIMEOUT = 30.0


def say(line):
    print(line, flush=True)


class Cases:
    def __init__(self, target, token, work):
        import grpc

        self.grpc = grpc
        sys.path.insert(0, work)
        from status.v1 import document_status_pb2 as status_pb2
        from status.v1 import document_status_pb2_grpc as status_grpc

        self.pb = status_pb2
        self.health = load(work, "grpc/health/v1/health_pb2.py", "status_interop_health_pb2")
        self.refl = load(work, "grpc/reflection/v1/reflection_pb2.py", "status_interop_reflection_v1_pb2")
        self.refl_alpha = load(work, "grpc/reflection/v1alpha/reflection_pb2.py", "status_interop_reflection_v1alpha_pb2")
        self.channel = grpc.insecure_channel(target)
        self.stub = status_grpc.DocumentStatusServiceStub(self.channel)
        self.auth = (("authorization", "Bearer " + token),)
        self.passed = 0
        self.failed = 0

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

    def check_health(self, service):
        call = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=self.health.HealthCheckRequest.SerializeToString,
            response_deserializer=self.health.HealthCheckResponse.FromString)
        return call(self.health.HealthCheckRequest(service=service), timeout=10)

    def reflect(self, module, path, request):
        call = self.channel.stream_stream(
            path,
            request_serializer=module.ServerReflectionRequest.SerializeToString,
            response_deserializer=module.ServerReflectionResponse.FromString)
        return list(call(iter([request]), metadata=self.auth, timeout=10))[0]

    # -- cases ---------------------------------------------------------------------------------

    def health_check(self):
        serving = self.health.HealthCheckResponse.SERVING
        assert self.check_health("").status == serving
        assert self.check_health("streaming.status.v1.DocumentStatusService").status == serving
        self.expect_error(self.grpc.StatusCode.NOT_FOUND, self.check_health, "no.such.Service")

    def unauthenticated(self):
        missing = self.expect_error(self.grpc.StatusCode.UNAUTHENTICATED, self.stub.GetDocumentStatus,
                                    self.pb.GetDocumentStatusRequest(document_token="py-doc"), timeout=10)
        assert "authorization" in missing.details(), missing.details()
        self.expect_error(self.grpc.StatusCode.UNAUTHENTICATED, self.stub.GetDocumentStatus,
                          self.pb.GetDocumentStatusRequest(document_token="py-doc"),
                          metadata=(("authorization", "Bearer guessed-0123456789-secret"),), timeout=10)

    def unary(self):
        state = self.stub.GetDocumentStatus(self.pb.GetDocumentStatusRequest(document_token="py-doc"), metadata=self.auth, timeout=10)
        assert state.document_token == "py-doc", state
        assert state.status == self.pb.DOCUMENT_STATUS_IN_PROGRESS, state
        assert state.event_count == 2, state
        assert state.last_event.event_id == "py-doc-signed", state
        assert state.status_event_id == "py-doc-signed", state
        assert state.provider == "insigner", state
        assert state.first_seen_at.seconds > 0 and state.status_changed_at.seconds > 0, state

    def list_events_paged(self):
        first = self.stub.ListDocumentEvents(self.pb.ListDocumentEventsRequest(document_token="py-done", page_size=3), metadata=self.auth, timeout=10)
        second = self.stub.ListDocumentEvents(self.pb.ListDocumentEventsRequest(document_token="py-done", page_size=3, page_token=first.next_page_token),
                                              metadata=self.auth, timeout=10)
        ids = [e.event_id for e in first.events] + [e.event_id for e in second.events]
        assert ids == ["py-done-sent", "py-done-signed", "py-done-bounced", "py-done-completed"], ids
        assert first.next_page_token != "" and second.next_page_token == "", (first.next_page_token, second.next_page_token)
        assert first.events[2].status == self.pb.DOCUMENT_STATUS_UNSPECIFIED, first.events[2]

    def list_documents_filtered(self):
        response = self.stub.ListDocuments(self.pb.ListDocumentsRequest(statuses=[self.pb.DOCUMENT_STATUS_COMPLETED]), metadata=self.auth, timeout=10)
        assert [d.document_token for d in response.documents] == ["py-done"], response
        everything = self.stub.ListDocuments(self.pb.ListDocumentsRequest(page_size=1), metadata=self.auth, timeout=10)
        rest = self.stub.ListDocuments(self.pb.ListDocumentsRequest(page_size=1, page_token=everything.next_page_token), metadata=self.auth, timeout=10)
        assert sorted(d.document_token for d in list(everything.documents) + list(rest.documents)) == ["py-doc", "py-done"]

    def not_found(self):
        token = "missing-caf\u00e9/100%"
        error = self.expect_error(self.grpc.StatusCode.NOT_FOUND, self.stub.GetDocumentStatus,
                                  self.pb.GetDocumentStatusRequest(document_token=token), metadata=self.auth, timeout=10)
        assert error.details() == "document '%s' is not known" % token, error.details()

    def invalid_argument(self):
        error = self.expect_error(self.grpc.StatusCode.INVALID_ARGUMENT, self.stub.GetDocumentStatus,
                                  self.pb.GetDocumentStatusRequest(), metadata=self.auth, timeout=10)
        assert "document_token" in error.details(), error.details()
        error = self.expect_error(self.grpc.StatusCode.INVALID_ARGUMENT, self.stub.ListDocuments,
                                  self.pb.ListDocumentsRequest(page_size=-1), metadata=self.auth, timeout=10)
        assert "page_size" in error.details(), error.details()
        error = self.expect_error(self.grpc.StatusCode.INVALID_ARGUMENT, self.stub.ListDocumentEvents,
                                  self.pb.ListDocumentEventsRequest(document_token="py-doc", page_token="not-a-token"), metadata=self.auth, timeout=10)
        assert "page_token" in error.details(), error.details()

    def deadline_exceeded(self):
        # The server holds the stream open after the initial state; its deadline handling must end it.
        stream = self.stub.WatchDocumentStatus(self.pb.WatchDocumentStatusRequest(document_token="py-done"), metadata=self.auth, timeout=1.5)
        first = next(stream)
        assert first.kind == self.pb.DOCUMENT_CHANGE_KIND_INITIAL, first
        assert first.document.status == self.pb.DOCUMENT_STATUS_COMPLETED, first
        self.expect_error(self.grpc.StatusCode.DEADLINE_EXCEEDED, next, stream)

    def watch_initial_then_update(self):
        stream = self.stub.WatchDocumentStatus(self.pb.WatchDocumentStatusRequest(document_token="py-doc"), metadata=self.auth, timeout=WATCH_TIMEOUT)
        initial = next(stream)
        assert initial.kind == self.pb.DOCUMENT_CHANGE_KIND_INITIAL, initial
        assert initial.document.status == self.pb.DOCUMENT_STATUS_IN_PROGRESS, initial
        say("READY watch py-doc")
        update = next(stream)
        assert update.kind == self.pb.DOCUMENT_CHANGE_KIND_UPDATED, update
        assert update.document.status == self.pb.DOCUMENT_STATUS_COMPLETED, update
        assert update.event.event_id == "py-doc-completed", update
        assert update.document.event_count == 3, update
        stream.cancel()

    def reflection(self):
        listed = self.reflect(self.refl, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", self.refl.ServerReflectionRequest(list_services=""))
        names = sorted(s.name for s in listed.list_services_response.service)
        expected = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection", "streaming.status.v1.DocumentStatusService"]
        assert names == expected, names
        alpha = self.reflect(self.refl_alpha, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                             self.refl_alpha.ServerReflectionRequest(file_containing_symbol="streaming.status.v1.DocumentStatusService"))
        assert len(alpha.file_descriptor_response.file_descriptor_proto) >= 1, alpha


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
                 "not_found", "invalid_argument", "deadline_exceeded", "watch_initial_then_update", "reflection"]:
        cases.run(name, getattr(cases, name))
    say("interop: %d passed, %d failed" % (cases.passed, cases.failed))
    return 0 if cases.failed == 0 and cases.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
