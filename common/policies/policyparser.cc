// SPDX-License-Identifier: Apache-2.0
#include "common/policies/policyparser.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <absl/strings/str_format.h>

#include "common/policies/builder.h"
#include "fabric/base/status_macros.h"

namespace fabric::policies {
namespace {

enum class Gate { kAnd, kOr, kOutOf };

// Fabric registers each gate under its Go constant name and its lower- and upper-case forms.
std::optional<Gate> GateFromName(std::string_view name) {
  if (name == "And" || name == "and" || name == "AND") {
    return Gate::kAnd;
  }
  if (name == "Or" || name == "or" || name == "OR") {
    return Gate::kOr;
  }
  if (name == "OutOf" || name == "outof" || name == "OUTOF") {
    return Gate::kOutOf;
  }
  return std::nullopt;
}

std::optional<common::MSPRole::MSPRoleType> RoleFromName(std::string_view name) {
  if (name == "member") {
    return common::MSPRole::MEMBER;
  }
  if (name == "admin") {
    return common::MSPRole::ADMIN;
  }
  if (name == "client") {
    return common::MSPRole::CLIENT;
  }
  if (name == "peer") {
    return common::MSPRole::PEER;
  }
  if (name == "orderer") {
    return common::MSPRole::ORDERER;
  }
  return std::nullopt;
}

const char* RoleName(int role) {
  switch (role) {
    case common::MSPRole::MEMBER:
      return "member";
    case common::MSPRole::ADMIN:
      return "admin";
    case common::MSPRole::CLIENT:
      return "client";
    case common::MSPRole::PEER:
      return "peer";
    case common::MSPRole::ORDERER:
      return "orderer";
    default:
      return nullptr;
  }
}

// Input echoed in error messages is cut to this many characters.
constexpr size_t kMaxEchoed = 64;

std::string Clip(std::string_view s) {
  if (s.size() <= kMaxEchoed) {
    return std::string(s);
  }
  return std::string(s.substr(0, kMaxEchoed)) + "...";
}

bool IsMspIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Builds the envelope while parsing: each gate numbers its own principals when it closes, after
// its nested gates have numbered theirs, which is the order Fabric's evaluator produces.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<common::SignaturePolicyEnvelope> Parse() {
    SkipSpace();
    if (pos_ == text_.size()) {
      return Error(pos_, "empty policy");
    }
    ASSIGN_OR_RETURN(common::SignaturePolicy rule, ParseGate(1));
    SkipSpace();
    if (pos_ != text_.size()) {
      return Error(pos_,
                   absl::StrFormat("unexpected '%c' after the end of the policy", text_[pos_]));
    }
    *envelope_.mutable_rule() = std::move(rule);
    envelope_.set_version(0);
    return std::move(envelope_);
  }

 private:
  struct OwnPrincipal {
    int rule_index;
    common::MSPPrincipal principal;
  };

  Status Error(size_t offset, std::string_view what) const {
    return InvalidArgumentError(absl::StrFormat("invalid policy at offset %d: %s", offset, what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  std::string Found() const {
    return pos_ < text_.size() ? absl::StrFormat("'%c'", text_[pos_]) : "the end of the policy";
  }

  Status Expect(char c, std::string_view context) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != c) {
      return Error(pos_, absl::StrFormat("expected '%c' %s but found %s", c, context, Found()));
    }
    ++pos_;
    return Status::OK();
  }

  StatusOr<Gate> ParseGateName() {
    SkipSpace();
    size_t start = pos_;
    if (pos_ >= text_.size() || !IsIdentStart(text_[pos_])) {
      return Error(pos_, absl::StrFormat("expected AND, OR or OutOf but found %s", Found()));
    }
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
      ++pos_;
    }
    std::string_view name = text_.substr(start, pos_ - start);
    std::optional<Gate> gate = GateFromName(name);
    if (!gate) {
      return Error(start, absl::StrFormat("unrecognized token '%s' (gates are And/and/AND, "
                                          "Or/or/OR and OutOf/outof/OUTOF)",
                                          Clip(name)));
    }
    return *gate;
  }

  // A quoted string; returns its contents. `start` receives the offset of the opening quote.
  StatusOr<std::string_view> ParseQuoted(size_t* start) {
    *start = pos_;
    char quote = text_[pos_++];
    size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) {
      return Error(*start, "unterminated string");
    }
    std::string_view s = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }

  StatusOr<common::MSPPrincipal> ParsePrincipal() {
    size_t start;
    ASSIGN_OR_RETURN(std::string_view s, ParseQuoted(&start));
    size_t dot = s.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
      return Error(start,
                   absl::StrFormat("invalid principal '%s': expected '<msp id>.<role>'", Clip(s)));
    }
    std::string_view msp_id = s.substr(0, dot);
    std::string_view role_name = s.substr(dot + 1);
    for (char c : msp_id) {
      if (!IsMspIdChar(c)) {
        return Error(start, absl::StrFormat("invalid MSP id '%s' in principal '%s': only letters, "
                                            "digits, '.' and '-' are allowed",
                                            Clip(msp_id), Clip(s)));
      }
    }
    std::optional<common::MSPRole::MSPRoleType> role = RoleFromName(role_name);
    if (!role) {
      return Error(start, absl::StrFormat("unknown role '%s' in principal '%s' (roles are member, "
                                          "admin, client, peer, orderer)",
                                          Clip(role_name), Clip(s)));
    }
    return RolePrincipal(msp_id, *role);
  }

  // [-]digits[.digits], truncated towards zero like Fabric's int(float64). Values beyond int32
  // saturate; the range check rejects them.
  static std::optional<int64_t> ParseNumber(std::string_view s) {
    size_t i = 0;
    bool negative = i < s.size() && s[i] == '-';
    i += negative ? 1 : 0;
    size_t digits_start = i;
    int64_t value = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0; ++i) {
      value = std::min<int64_t>(value * 10 + (s[i] - '0'), int64_t{1} << 40);
    }
    if (i == digits_start) {
      return std::nullopt;
    }
    if (i < s.size() && s[i] == '.') {
      size_t frac_start = ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
        ++i;
      }
      if (i == frac_start) {
        return std::nullopt;
      }
    }
    if (i != s.size()) {
      return std::nullopt;
    }
    return negative ? -value : value;
  }

  // OutOf's count: a number literal, or a quoted number as Fabric also accepts ('2').
  StatusOr<int64_t> ParseCount() {
    SkipSpace();
    size_t start = pos_;
    std::string_view token;
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      ASSIGN_OR_RETURN(token, ParseQuoted(&start));
      while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front())) != 0) {
        token.remove_prefix(1);
      }
      while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
        token.remove_suffix(1);
      }
    } else {
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                     text_[pos_] == '.' || text_[pos_] == '-')) {
        ++pos_;
      }
      token = text_.substr(start, pos_ - start);
    }
    std::optional<int64_t> n = ParseNumber(token);
    if (!n) {
      return Error(start, absl::StrFormat("OutOf expects a number as its first argument but "
                                          "found '%s'",
                                          token.empty() ? Found() : Clip(token)));
    }
    return *n;
  }

  // One argument of a gate: a nested gate (appended to `rules`) or a quoted principal (appended
  // to `own` with a placeholder in `rules`).
  Status ParseArg(int depth, std::vector<common::SignaturePolicy>* rules,
                  std::vector<OwnPrincipal>* own) {
    SkipSpace();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      ASSIGN_OR_RETURN(common::MSPPrincipal principal, ParsePrincipal());
      own->push_back(OwnPrincipal{static_cast<int>(rules->size()), std::move(principal)});
      rules->emplace_back();
      return Status::OK();
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      ASSIGN_OR_RETURN(common::SignaturePolicy nested, ParseGate(depth + 1));
      rules->push_back(std::move(nested));
      return Status::OK();
    }
    return Error(pos_, absl::StrFormat("expected a quoted principal or a nested AND, OR or OutOf "
                                       "but found %s",
                                       Found()));
  }

  StatusOr<common::SignaturePolicy> ParseGate(int depth) {
    SkipSpace();
    size_t start = pos_;
    if (depth > kMaxPolicyDepth) {
      return Error(start, absl::StrFormat("gates nested deeper than %d levels", kMaxPolicyDepth));
    }
    ASSIGN_OR_RETURN(Gate gate, ParseGateName());
    RETURN_IF_ERROR(Expect('(', "after the gate name"));
    int64_t n = 0;
    if (gate == Gate::kOutOf) {
      ASSIGN_OR_RETURN(n, ParseCount());
      RETURN_IF_ERROR(Expect(',', "after OutOf's count (OutOf needs at least one argument)"));
    }
    std::vector<common::SignaturePolicy> rules;
    std::vector<OwnPrincipal> own;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      return Error(pos_, "a gate needs at least one argument");
    }
    for (;;) {
      RETURN_IF_ERROR(ParseArg(depth, &rules, &own));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      RETURN_IF_ERROR(Expect(')', "or ',' after an argument"));
      break;
    }
    return FinishGate(gate, n, start, std::move(rules), std::move(own));
  }

  StatusOr<common::SignaturePolicy> FinishGate(Gate gate, int64_t n, size_t start,
                                               std::vector<common::SignaturePolicy> rules,
                                               std::vector<OwnPrincipal> own) {
    const int64_t count = static_cast<int64_t>(rules.size());
    if (gate == Gate::kAnd) {
      n = count;
    } else if (gate == Gate::kOr) {
      n = 1;
    } else if (n < 0 || n > count + 1) {
      // Fabric's bound: 0 <= n <= count + 1.
      return Error(start,
                   absl::StrFormat("OutOf count %d is out of range for %d argument(s)", n, count));
    }
    for (OwnPrincipal& p : own) {
      rules[p.rule_index].set_signed_by(envelope_.identities_size());
      *envelope_.add_identities() = std::move(p.principal);
    }
    return NOutOf(static_cast<int32_t>(n), std::move(rules));
  }

  std::string_view text_;
  size_t pos_ = 0;
  common::SignaturePolicyEnvelope envelope_;
};

// Appends the language form of `rule` to `out`.
void AppendRule(const common::SignaturePolicyEnvelope& env, const common::SignaturePolicy& rule,
                int depth, std::string* out);

void AppendPrincipalRef(const common::SignaturePolicyEnvelope& env, int32_t index,
                        std::string* out) {
  if (index < 0 || index >= env.identities_size()) {
    absl::StrAppendFormat(out, "<principal index %d out of range>", index);
    return;
  }
  std::string p = PrincipalToString(env.identities(index));
  if (!p.empty() && p.front() == '<') {
    out->append(p);
  } else {
    absl::StrAppendFormat(out, "'%s'", p);
  }
}

void AppendRule(const common::SignaturePolicyEnvelope& env, const common::SignaturePolicy& rule,
                int depth, std::string* out) {
  if (depth > kMaxPolicyDepth) {
    out->append("<nested too deep>");
    return;
  }
  if (rule.Type_case() == common::SignaturePolicy::kSignedBy) {
    AppendPrincipalRef(env, rule.signed_by(), out);
    return;
  }
  if (rule.Type_case() != common::SignaturePolicy::kNOutOf) {
    out->append("<empty rule>");
    return;
  }
  const common::SignaturePolicy::NOutOf& gate = rule.n_out_of();
  const int count = gate.rules_size();
  if (count > 0 && gate.n() == 1) {
    out->append("OR(");
  } else if (count > 1 && gate.n() == count) {
    out->append("AND(");
  } else {
    absl::StrAppendFormat(out, "OutOf(%d%s", gate.n(), count > 0 ? ", " : "");
  }
  for (int i = 0; i < count; ++i) {
    if (i > 0) {
      out->append(", ");
    }
    AppendRule(env, gate.rules(i), depth + 1, out);
  }
  out->push_back(')');
}

}  // namespace

StatusOr<common::SignaturePolicyEnvelope> FromString(std::string_view policy) {
  return Parser(policy).Parse();
}

std::string ToString(const common::SignaturePolicyEnvelope& envelope) {
  std::string out;
  if (!envelope.has_rule()) {
    return "<empty rule>";
  }
  AppendRule(envelope, envelope.rule(), 1, &out);
  return out;
}

std::string PrincipalToString(const common::MSPPrincipal& principal) {
  switch (principal.principal_classification()) {
    case common::MSPPrincipal::ROLE: {
      common::MSPRole role;
      if (!role.ParseFromString(principal.principal())) {
        return "<malformed role principal>";
      }
      const char* name = RoleName(role.role());
      if (name == nullptr) {
        return absl::StrFormat("<role %d of %s>", role.role(), role.msp_identifier());
      }
      return absl::StrFormat("%s.%s", role.msp_identifier(), name);
    }
    case common::MSPPrincipal::ORGANIZATION_UNIT: {
      common::OrganizationUnit ou;
      if (!ou.ParseFromString(principal.principal())) {
        return "<malformed organizational unit principal>";
      }
      return absl::StrFormat("<ou %s of %s>", ou.organizational_unit_identifier(),
                             ou.msp_identifier());
    }
    case common::MSPPrincipal::IDENTITY:
      return "<identity principal>";
    default:
      return absl::StrFormat("<principal of classification %d>",
                             static_cast<int>(principal.principal_classification()));
  }
}

}  // namespace fabric::policies
