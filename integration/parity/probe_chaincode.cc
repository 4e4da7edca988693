// SPDX-License-Identifier: Apache-2.0

#include "integration/parity/probe_chaincode.h"

#include <absl/strings/escaping.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>

#include "common/common.pb.h"
#include "common/policies.pb.h"
#include "fabric/shim/chaincode_stub.h"
#include "msp/msp_principal.pb.h"

namespace fabric::parity {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one UTF-8 sequence at `s[i]` as Go's utf8.DecodeRune: returns the rune and its length,
// or (U+FFFD, 1) for an invalid or overlong sequence, a surrogate or a value above U+10FFFF.
std::pair<char32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    return {c, 1};
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) {
    return {kReplacement, 1};
  }
  char32_t r = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) {
      return {kReplacement, 1};
    }
    r = (r << 6) | (b(k) & 0x3F);
  }
  const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    return {kReplacement, 1};
  }
  return {r, n};
}

void AppendUtf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// A reader of Go-flavoured JSON for [][]string.
class MatrixParser {
 public:
  explicit MatrixParser(std::string_view text) : s_(text) {}

  std::optional<std::vector<std::vector<std::string>>> Parse() {
    std::vector<std::vector<std::string>> rows;
    if (!Expect('[')) {
      return std::nullopt;
    }
    if (Peek() == ']') {
      ++i_;
      return End() ? std::optional(rows) : std::nullopt;
    }
    do {
      auto row = Row();
      if (!row) {
        return std::nullopt;
      }
      rows.push_back(std::move(*row));
    } while (Expect(','));
    if (!Expect(']') || !End()) {
      return std::nullopt;
    }
    return rows;
  }

 private:
  std::optional<std::vector<std::string>> Row() {
    std::vector<std::string> row;
    if (Literal("null")) {
      return row;
    }
    if (!Expect('[')) {
      return std::nullopt;
    }
    if (Peek() == ']') {
      ++i_;
      return row;
    }
    do {
      std::string v;
      if (!Literal("null") && !String(v)) {
        return std::nullopt;
      }
      row.push_back(std::move(v));
    } while (Expect(','));
    return Expect(']') ? std::optional(row) : std::nullopt;
  }

  bool Hex4(char32_t& r) {
    if (i_ + 4 > s_.size()) {
      return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    r = v;
    return true;
  }

  // A \u escape (after the "\u"), joining a surrogate pair; a lone surrogate is U+FFFD.
  bool Unicode(std::string& out) {
    char32_t r;
    if (!Hex4(r)) {
      return false;
    }
    if (r >= 0xD800 && r < 0xDC00 && s_.substr(i_, 2) == "\\u") {
      const size_t save = i_;
      i_ += 2;
      char32_t lo;
      if (Hex4(lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
        AppendUtf8(out, 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00));
        return true;
      }
      i_ = save;
    }
    AppendUtf8(out, r >= 0xD800 && r <= 0xDFFF ? kReplacement : r);
    return true;
  }

  bool String(std::string& out) {
    if (!Expect('"')) {
      return false;
    }
    while (i_ < s_.size()) {
      const unsigned char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) {
        return false;
      }
      if (c != '\\') {
        auto [r, n] = DecodeRune(s_, i_);
        AppendUtf8(out, r);
        i_ += n;
        continue;
      }
      if (++i_ >= s_.size()) {
        return false;
      }
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          if (!Unicode(out)) {
            return false;
          }
          break;
        default:
          return false;
      }
    }
    return false;
  }

  void Space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  char Peek() {
    Space();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool Expect(char c) {
    if (Peek() != c) {
      return false;
    }
    ++i_;
    return true;
  }
  bool Literal(std::string_view word) {
    Space();
    if (s_.substr(i_, word.size()) != word) {
      return false;
    }
    i_ += word.size();
    return true;
  }
  bool End() {
    Space();
    return i_ == s_.size();
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::string Array(const std::vector<std::string>& items) {
  if (items.empty()) {
    return "null";  // a nil Go slice
  }
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ",") + items[i];
  }
  return out + "]";
}

// Keys must already be sorted, as Go sorts map keys.
std::string Object(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    out += (i == 0 ? "" : ",") + GoJsonString(fields[i].first) + ":" + fields[i].second;
  }
  return out + "}";
}

std::string Err(const Status& s) { return GoJsonString("ERR:" + std::string(s.message())); }

int Atoi(const std::string& s) {
  int n = 0;
  return absl::SimpleAtoi(s, &n) ? n : 0;
}

// "k=v" for every result, stopping at (and recording) the first error, as the Go probe does.
std::string DrainKvs(shim::StateQueryIterator& it) {
  std::vector<std::string> out;
  while (it.HasNext()) {
    auto kv = it.Next();
    if (!kv.ok()) {
      out.push_back(GoJsonString("ERR:" + std::string(kv.status().message())));
      break;
    }
    out.push_back(GoJsonString(kv->key() + "=" + kv->value()));
  }
  (void)it.Close();
  return Array(out);
}

std::string Paged(shim::PagedStateQuery& page) {
  std::string kvs = DrainKvs(*page.iterator);
  return Object({{"bookmark", GoJsonString(page.metadata.bookmark())},
                 {"count", std::to_string(page.metadata.fetched_records_count())},
                 {"kvs", kvs}});
}

// The SignaturePolicyEnvelope Fabric's statebased.NewStateEP(nil) + AddOrgs(peer, orgs...)
// produces: orgs sorted, one principal each, all of them required.
std::string PeerOrgsPolicy(std::vector<std::string> orgs) {
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  common::SignaturePolicyEnvelope env;
  auto* rule = env.mutable_rule()->mutable_n_out_of();
  rule->set_n(static_cast<int32_t>(orgs.size()));
  for (size_t i = 0; i < orgs.size(); ++i) {
    common::MSPRole role;
    role.set_role(common::MSPRole::PEER);
    role.set_msp_identifier(orgs[i]);
    auto* principal = env.add_identities();
    principal->set_principal_classification(common::MSPPrincipal::ROLE);
    principal->set_principal(role.SerializeAsString());
    rule->add_rules()->set_signed_by(static_cast<int32_t>(i));
  }
  return env.SerializeAsString();
}

std::string OrNull(const StatusOr<std::string>& v) {
  if (!v.ok()) {
    return Err(v.status());
  }
  return v->empty() ? "null" : GoJsonString(*v);
}

std::string OrErr(const Status& s, std::string ok = "null") { return s.ok() ? ok : Err(s); }

std::vector<std::string> Tail(const std::vector<std::string>& op, size_t from) {
  return from < op.size() ? std::vector<std::string>(op.begin() + from, op.end())
                          : std::vector<std::string>();
}

// The i-th element of `op`, "" past its end.
const std::string& Arg(const std::vector<std::string>& op, size_t i) {
  static const std::string kEmpty;
  return i < op.size() ? op[i] : kEmpty;
}

// The ops below run one op each; nullopt for an op the function does not know.

// Single-key writes and reads.
std::optional<std::string> KeyOp(shim::ChaincodeStub& stub, const std::vector<std::string>& op) {
  const std::string& name = op[0];
  if (name == "put") {
    return OrErr(stub.PutState(Arg(op, 1), Arg(op, 2)));
  }
  if (name == "putn") {
    Status s;
    for (int i = 0; i < Atoi(Arg(op, 2)) && s.ok(); ++i) {
      s = stub.PutState(absl::StrFormat("%s%04d", Arg(op, 1), i), Arg(op, 3));
    }
    return OrErr(s);
  }
  if (name == "get") {
    return OrNull(stub.GetState(Arg(op, 1)));
  }
  if (name == "del") {
    return OrErr(stub.DelState(Arg(op, 1)));
  }
  return std::nullopt;
}

// Range queries: all of a range, its first n keys, or a page.
std::optional<std::string> RangeOp(shim::ChaincodeStub& stub, const std::vector<std::string>& op) {
  const std::string& name = op[0];
  if (name == "range") {
    auto it = stub.GetStateByRange(Arg(op, 1), Arg(op, 2));
    return it.ok() ? DrainKvs(**it) : Err(it.status());
  }
  if (name == "rangelimit") {
    auto it = stub.GetStateByRange(Arg(op, 1), Arg(op, 2));
    if (!it.ok()) {
      return Err(it.status());
    }
    std::vector<std::string> keys;
    for (int i = 0; i < Atoi(Arg(op, 3)) && (*it)->HasNext(); ++i) {
      auto kv = (*it)->Next();
      keys.push_back(GoJsonString(kv.ok() ? kv->key() : ""));
    }
    (void)(*it)->Close();
    return Array(keys);
  }
  if (name == "rangepage") {
    auto page =
        stub.GetStateByRangeWithPagination(Arg(op, 1), Arg(op, 2), Atoi(Arg(op, 3)), Arg(op, 4));
    return page.ok() ? Paged(*page) : Err(page.status());
  }
  return std::nullopt;
}

// Composite keys: creating one, writing under one, and partial-key queries.
std::optional<std::string> CompositeKeyOp(shim::ChaincodeStub& stub,
                                          const std::vector<std::string>& op) {
  const std::string& name = op[0];
  if (name == "ckey") {
    auto key = stub.CreateCompositeKey(Arg(op, 1), Tail(op, 2));
    return key.ok() ? GoJsonString(*key) : Err(key.status());
  }
  if (name == "cput") {
    std::vector<std::string> attrs = Tail(op, 2);
    std::string value = attrs.empty() ? "" : attrs.back();
    if (!attrs.empty()) {
      attrs.pop_back();
    }
    auto key = stub.CreateCompositeKey(Arg(op, 1), attrs);
    return key.ok() ? OrErr(stub.PutState(*key, value)) : Err(key.status());
  }
  if (name == "pcomp") {
    auto it = stub.GetStateByPartialCompositeKey(Arg(op, 1), Tail(op, 2));
    return it.ok() ? DrainKvs(**it) : Err(it.status());
  }
  if (name == "pcomppage") {
    auto page = stub.GetStateByPartialCompositeKeyWithPagination(Arg(op, 1), Tail(op, 4),
                                                                 Atoi(Arg(op, 2)), Arg(op, 3));
    return page.ok() ? Paged(*page) : Err(page.status());
  }
  return std::nullopt;
}

// The modifications of a key, one "txid del=... v=..." line each.
std::string History(shim::ChaincodeStub& stub, const std::string& key) {
  auto it = stub.GetHistoryForKey(key);
  if (!it.ok()) {
    return Err(it.status());
  }
  std::vector<std::string> out;
  while ((*it)->HasNext()) {
    auto m = (*it)->Next();
    if (!m.ok()) {
      out.push_back(GoJsonString("ERR:" + std::string(m.status().message())));
      break;
    }
    out.push_back(GoJsonString(absl::StrFormat("%s del=%s v=%s", m->tx_id(),
                                               m->is_delete() ? "true" : "false", m->value())));
  }
  (void)(*it)->Close();
  return Array(out);
}

// Rich queries and key history.
std::optional<std::string> QueryOp(shim::ChaincodeStub& stub, const std::vector<std::string>& op) {
  const std::string& name = op[0];
  if (name == "rich") {
    auto it = stub.GetQueryResult(Arg(op, 1));
    return it.ok() ? DrainKvs(**it) : Err(it.status());
  }
  if (name == "hist") {
    return History(stub, Arg(op, 1));
  }
  return std::nullopt;
}

// Key-level endorsement policies.
std::optional<std::string> ValidationParameterOp(shim::ChaincodeStub& stub,
                                                 const std::vector<std::string>& op) {
  const std::string& name = op[0];
  if (name == "setvp") {
    return OrErr(stub.SetStateValidationParameter(Arg(op, 1), PeerOrgsPolicy(Tail(op, 2))));
  }
  if (name == "setvpraw") {
    return OrErr(stub.SetStateValidationParameter(Arg(op, 1), Arg(op, 2)));
  }
  if (name == "getvp") {
    auto vp = stub.GetStateValidationParameter(Arg(op, 1));
    return vp.ok() ? GoJsonString(absl::BytesToHexString(*vp)) : Err(vp.status());
  }
  return std::nullopt;
}

// Runs one state or query op.
std::optional<std::string> StateOp(shim::ChaincodeStub& stub, const std::vector<std::string>& op) {
  for (auto* run : {KeyOp, RangeOp, CompositeKeyOp, QueryOp, ValidationParameterOp}) {
    if (std::optional<std::string> r = run(stub, op)) {
      return r;
    }
  }
  return std::nullopt;
}

// Runs one transaction-context op; nullopt for an op this function does not know.
std::optional<std::string> ContextOp(shim::ChaincodeStub& stub,
                                     const std::vector<std::string>& op) {
  const std::string& name = op[0];
  const auto arg = [&](size_t i) -> const std::string& { return Arg(op, i); };
  if (name == "event") {
    return OrErr(stub.SetEvent(arg(1), arg(2)));
  }
  if (name == "call") {
    shim::Response r = stub.InvokeChaincode(arg(1), Tail(op, 3), arg(2));
    return Object({{"msg", GoJsonString(r.message)},
                   {"payload", GoJsonString(r.payload)},
                   {"status", std::to_string(r.status)}});
  }
  if (name == "txid") {
    return GoJsonString(stub.GetTxID());
  }
  if (name == "chan") {
    return GoJsonString(stub.GetChannelID());
  }
  if (name == "ts") {
    auto ts = stub.GetTxTimestamp();
    return ts.ok() ? GoJsonString(absl::StrFormat("%d.%d", ts->seconds(), ts->nanos()))
                   : Err(ts.status());
  }
  if (name == "creator") {
    auto c = stub.GetCreator();
    return c.ok() ? std::to_string(c->size()) : Err(c.status());
  }
  if (name == "binding") {
    auto b = stub.GetBinding();
    return b.ok() ? GoJsonString(absl::BytesToHexString(*b)) : Err(b.status());
  }
  if (name == "transient") {
    auto t = stub.GetTransient();
    return t.ok() ? std::to_string(t->size()) : Err(t.status());
  }
  if (name == "decorations") {
    return std::to_string(stub.GetDecorations().size());
  }
  return std::nullopt;
}

// The ops that end the script with their own response.
std::optional<shim::Response> EndingOp(const std::vector<std::string>& op) {
  const auto arg = [&](size_t i) -> const std::string& { return Arg(op, i); };
  if (op[0] == "fail") {
    return shim::Error(arg(1));
  }
  if (op[0] == "status") {
    return shim::Response{Atoi(arg(1)), arg(2), arg(3)};
  }
  if (op[0] == "ret") {
    return shim::Success(arg(1));
  }
  if (op[0] == "retnil") {
    return shim::Success();
  }
  return std::nullopt;
}

}  // namespace

std::string GoJsonString(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    auto [r, n] = DecodeRune(s, i);
    if (r == kReplacement && n == 1) {
      out += "\\ufffd";
    } else if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out + "\"";
}

std::optional<std::vector<std::vector<std::string>>> ParseGoStringMatrix(std::string_view text) {
  return MatrixParser(text).Parse();
}

shim::Response ProbeChaincode::Run(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.size() < 2 || args[0] != "ops") {
    return shim::Success();
  }
  auto ops = ParseGoStringMatrix(args[1]);
  if (!ops) {
    return shim::Error("bad ops");
  }
  std::vector<std::string> results;
  for (const auto& op : *ops) {
    if (op.empty()) {
      return shim::Error("empty op");
    }
    if (auto end = EndingOp(op)) {
      return *end;
    }
    std::optional<std::string> r = StateOp(stub, op);
    if (!r) {
      r = ContextOp(stub, op);
    }
    if (!r) {
      return shim::Error("unknown op " + op[0]);
    }
    results.push_back(std::move(*r));
  }
  return shim::Success(Array(results));
}

}  // namespace fabric::parity
