// SPDX-License-Identifier: Apache-2.0
//
// Node.js chaincode (type NODE) for DockerLauncher: what Fabric's node platform does
// (core/chaincode/platforms/node), with fabric-cpp's images.
//
// A NODE code package is a gzipped tar with the chaincode's folder under "src/" (package.json at
// src/package.json, with a "start" script) and optional META-INF/ metadata. DockerLauncher
// builds it once per package hash:
//  1. a throwaway container of the node builder image (fabric-cpp/nodeenv) gets the package at
//     /chaincode/input and runs NodeBuildScript: the source is copied to /chaincode/output/src,
//     `npm ci --omit=dev` (when the package has a package-lock.json or npm-shrinkwrap.json) or
//     `npm install --omit=dev` (Fabric's `npm install --production`) runs there, and the
//     result is archived as /chaincode/binpackage.tar. The builder reaches the npm registry as
//     the peer's host does: the launcher's network mode (host by default), the host's npm
//     settings file, its CA bundle and its proxy variables (NodeBuildOptions);
//  2. the runtime image is FROM the node runtime image (fabric-cpp/node-runtime) with the
//     archive added at /usr/local/src (NodeRuntimeDockerfile);
//  3. its containers run what `npm start -- --peer.address <addr>` runs in /usr/local/src
//     (NodeStartCommand), fabric-shim's contract: the chaincode name comes from
//     CORE_CHAINCODE_ID_NAME, TLS from CORE_PEER_TLS_ENABLED, CORE_TLS_CLIENT_KEY_PATH,
//     CORE_TLS_CLIENT_CERT_PATH and CORE_PEER_TLS_ROOTCERT_FILE, which the peer sets. npm itself
//     takes about a second to start, longer than Node loading fabric-shim: the builder adds
//     NodeStartScript, made from package.json, which runs the prestart, start and poststart
//     scripts as npm does, and containers run it (`npm start` for images built without it).
//
// Thread-safety: free functions, safe to call concurrently.

#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fabric/base/status.h"
#include "launcher/docker/build_recipe.h"

namespace fabric::launcher::docker {

// How Node.js chaincode is built and run. The peer fills it from chaincode.node.* in core.yaml
// (docs/chaincode.md); WithHostDefaults fills what is left empty from the peer's environment.
struct NodeBuildOptions {
  std::string builder_image = "fabric-cpp/nodeenv:latest";       // chaincode.node.builder
  std::string runtime_image = "fabric-cpp/node-runtime:latest";  // chaincode.node.runtime
  // An npm settings file (registry, proxy, ...) the builder uses as its user config
  // (chaincode.node.npmrc); empty: none. Its `cafile` is overridden by ca_file when set.
  std::string npmrc_file;
  // A PEM bundle of CA certificates the builder trusts for the registry, in addition to
  // Node's own (chaincode.node.cafile); empty: Node's and npm's defaults only.
  std::string ca_file;
  // "KEY=value" entries added to the builder's environment: the proxy and npm variables of the
  // peer's environment (HostNpmEnv).
  std::vector<std::string> env;

  // Fills npmrc_file (NPM_CONFIG_USERCONFIG, else $HOME/.npmrc, when it exists), ca_file
  // (NODE_EXTRA_CA_CERTS, else NPM_CONFIG_CAFILE, when it exists) and env (HostNpmEnv) where
  // they are empty. `getenv` reads the environment (injectable for tests).
  void WithHostDefaults(const std::function<const char*(const char*)>& getenv);
};

// The proxy and npm variables of an environment, as "KEY=value" entries: HTTP_PROXY,
// HTTPS_PROXY, NO_PROXY (either case) and NPM_CONFIG_REGISTRY / npm_config_registry.
std::vector<std::string> HostNpmEnv(const std::function<const char*(const char*)>& getenv);

// What a NODE package holds that the launcher needs to know before building it.
struct NodePackageInfo {
  bool has_lock = false;  // src/package-lock.json or src/npm-shrinkwrap.json: `npm ci`
  // package.json's "name" and "version" (empty when absent or not strings) and its
  // "prestart", "start" and "poststart" scripts (empty when absent).
  std::string name;
  std::string version;
  std::string prestart;
  std::string start;
  std::string poststart;
};

// Checks a NODE code package: a readable tar.gz with src/package.json, valid JSON, with a
// non-empty "scripts.start". InvalidArgument naming the chaincode, what is wrong and what to do.
StatusOr<NodePackageInfo> CheckNodePackage(const std::string& ccid,
                                           const std::string& code_package);

// The builder container: its command, environment and the files to upload into it (absolute
// path -> content) before it starts.
struct NodeBuilderSpec {
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::map<std::string, std::string> files;
};

// Where the builder leaves its result (one tar of the folder "src").
inline constexpr char kNodeBuildOutput[] = "/chaincode/binpackage.tar";

// Where a chaincode image has NodeStartScript.
inline constexpr char kNodeStartScriptPath[] = "/usr/local/lib/fabric-cpp/npm-start";

// The shell script the builder runs (see the file comment). It installs the start script,
// uploaded into the builder (NodeBuilderSpec::files), at kNodeStartScriptPath of the image.
std::string NodeBuildScript(const NodePackageInfo& info);

// A POSIX shell script that does what `npm start -- ARGS` does with `info`'s package.json, run
// with ARGS: in /usr/local/src, with node_modules/.bin of it and of its parent folders first on
// PATH and npm's npm_package_{name,version,json}, npm_lifecycle_{event,script} variables, runs
// prestart (when present) with `sh -c`, then the start script with ARGS appended, then
// poststart (when present) once start exits with 0; the first non-zero status is its own. A
// SIGTERM or SIGINT it receives (as the container's PID 1) goes to the start script, as npm
// forwards it.
std::string NodeStartScript(const NodePackageInfo& info);

// The builder's command, environment and files for `info`. Reads options.npmrc_file and
// options.ca_file: FailedPrecondition naming the file (and its configuration key) when one is
// set but cannot be read.
StatusOr<NodeBuilderSpec> NodeBuilder(const NodeBuildOptions& options, const NodePackageInfo& info);

// The Dockerfile of a NODE chaincode's runtime image; its context holds binpackage.tar.
std::string NodeRuntimeDockerfile(const std::string& runtime_image);

// The runtime container's command: NodeStartScript with `--peer.address <address>` plus
// `extra_args`, or, in an image without it, `npm start -- <those arguments>`.
std::vector<std::string> NodeStartCommand(const std::string& peer_address,
                                          const std::vector<std::string>& extra_args);

// The recipe the Docker launcher runs for a NODE package: CheckNodePackage, then NodeBuilder's
// command, environment and files in options.builder_image with the network, the folder archive
// (kNodeBuildOutput) added by NodeRuntimeDockerfile, started with NodeStartCommand. Their
// errors.
StatusOr<BuildRecipe> NodeBuildRecipe(const std::string& ccid, const std::string& code_package,
                                      const NodeBuildOptions& options);

}  // namespace fabric::launcher::docker
