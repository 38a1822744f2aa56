// The HTTP client's one-line error messages: a server exception (by ClickHouse
// error code or HTTP status) or a libcurl failure, turned into text that names
// the server and the next step (start the server, fix the password, the
// database or table name, raise the timeout), with the password redacted.
// Kept apart so client.cpp holds only the transport. Internal to src/clickhouse.
#pragma once

#include <curl/curl.h>

#include <string>

#include "base/result.h"
#include "clickhouse/response.h"
#include "config/config.h"

namespace vigil::ch_internal {

// The message for an exception the server reported (in an error body, in the
// X-ClickHouse-Exception-Code header or after HTTP 200). `base_url` is the
// server's URL without credentials.
Error server_error(const ServerError& error, long http_status, const ClickHouseConfig& config,
                   const std::string& base_url);

// The message for a failed transfer: server down, no answer in time, lost connection.
// `curl` is the handle of that transfer, `errbuf` its CURLOPT_ERRORBUFFER.
Error transport_error(CURL* curl, CURLcode code, const char* errbuf, const ClickHouseConfig& config,
                      const std::string& base_url);

}  // namespace vigil::ch_internal
