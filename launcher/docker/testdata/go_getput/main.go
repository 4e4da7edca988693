// SPDX-License-Identifier: Apache-2.0
//
// getput: a Go chaincode that speaks the chaincode shim protocol itself, over gRPC code
// generated from fabric-cpp's protos (assemble.sh generates it and vendors its dependencies
// from Debian's Go sources, so the package builds offline). Started by a peer as Fabric starts
// Go chaincode: `chaincode -peer.address=<host:port>` with CORE_CHAINCODE_ID_NAME set.
//
// Functions (args[0]):
//
//	put <key> <value>   PutState(key, value)
//	get <key>           GetState(key), returned as the payload
//	invoke <key>        GetState(key) then PutState(key, value+"x") (the getput benchmark)
//
// Init succeeds without touching the state, or runs `put` when given its arguments.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"os"
	"sync"
	"time"

	"github.com/golang/protobuf/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	pb "fabric-cpp.example/getput/protos/peer"
)

type handler struct {
	stream  pb.ChaincodeSupport_RegisterClient
	sendMu  sync.Mutex
	mu      sync.Mutex
	waiting map[string]chan *pb.ChaincodeMessage // by channel + txid
}

func key(channel, txid string) string { return channel + "\x00" + txid }

func (h *handler) send(m *pb.ChaincodeMessage) error {
	h.sendMu.Lock()
	defer h.sendMu.Unlock()
	return h.stream.Send(m)
}

// call sends a request of a transaction and waits for the peer's RESPONSE or ERROR.
func (h *handler) call(tx *pb.ChaincodeMessage, t pb.ChaincodeMessage_Type, payload proto.Message) ([]byte, error) {
	body, err := proto.Marshal(payload)
	if err != nil {
		return nil, err
	}
	reply := make(chan *pb.ChaincodeMessage, 1)
	k := key(tx.ChannelId, tx.Txid)
	h.mu.Lock()
	h.waiting[k] = reply
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.waiting, k)
		h.mu.Unlock()
	}()
	if err := h.send(&pb.ChaincodeMessage{Type: t, Payload: body, Txid: tx.Txid, ChannelId: tx.ChannelId}); err != nil {
		return nil, err
	}
	m := <-reply
	if m.Type == pb.ChaincodeMessage_ERROR {
		return nil, errors.New(string(m.Payload))
	}
	return m.Payload, nil
}

func (h *handler) run(tx *pb.ChaincodeMessage) *pb.Response {
	var input pb.ChaincodeInput
	if err := proto.Unmarshal(tx.Payload, &input); err != nil {
		return &pb.Response{Status: 500, Message: "bad input: " + err.Error()}
	}
	args := input.Args
	if len(args) == 0 {
		return &pb.Response{Status: 200}
	}
	fn := string(args[0])
	switch {
	case fn == "put" && len(args) == 3:
		if _, err := h.call(tx, pb.ChaincodeMessage_PUT_STATE, &pb.PutState{Key: string(args[1]), Value: args[2]}); err != nil {
			return &pb.Response{Status: 500, Message: "put state: " + err.Error()}
		}
		return &pb.Response{Status: 200}
	case fn == "get" && len(args) == 2:
		v, err := h.call(tx, pb.ChaincodeMessage_GET_STATE, &pb.GetState{Key: string(args[1])})
		if err != nil {
			return &pb.Response{Status: 500, Message: "get state: " + err.Error()}
		}
		return &pb.Response{Status: 200, Payload: v}
	case fn == "invoke" && len(args) == 2:
		v, err := h.call(tx, pb.ChaincodeMessage_GET_STATE, &pb.GetState{Key: string(args[1])})
		if err == nil {
			_, err = h.call(tx, pb.ChaincodeMessage_PUT_STATE, &pb.PutState{Key: string(args[1]), Value: append(v, 'x')})
		}
		if err != nil {
			return &pb.Response{Status: 500, Message: err.Error()}
		}
		return &pb.Response{Status: 200}
	case tx.Type == pb.ChaincodeMessage_INIT:
		return &pb.Response{Status: 200}
	}
	return &pb.Response{Status: 500, Message: fmt.Sprintf("unknown function %q or wrong arguments (put k v | get k | invoke k)", fn)}
}

func (h *handler) complete(tx *pb.ChaincodeMessage) {
	resp := h.run(tx)
	body, _ := proto.Marshal(resp)
	if err := h.send(&pb.ChaincodeMessage{Type: pb.ChaincodeMessage_COMPLETED, Payload: body, Txid: tx.Txid, ChannelId: tx.ChannelId}); err != nil {
		log.Printf("send COMPLETED for %s: %v", tx.Txid, err)
	}
}

// serve reads the peer's messages until the stream ends.
func (h *handler) serve() error {
	for {
		m, err := h.stream.Recv()
		if err != nil {
			return err
		}
		switch m.Type {
		case pb.ChaincodeMessage_REGISTERED:
			log.Printf("registered")
		case pb.ChaincodeMessage_READY:
			log.Printf("ready")
		case pb.ChaincodeMessage_KEEPALIVE:
			_ = h.send(m)
		case pb.ChaincodeMessage_INIT, pb.ChaincodeMessage_TRANSACTION:
			go h.complete(m)
		case pb.ChaincodeMessage_RESPONSE, pb.ChaincodeMessage_ERROR:
			h.mu.Lock()
			reply := h.waiting[key(m.ChannelId, m.Txid)]
			h.mu.Unlock()
			if reply != nil {
				reply <- m
			}
		default:
			log.Printf("ignoring %s message", m.Type)
		}
	}
}

// Fabric's chaincode TLS settings: the client key and certificate files hold base64 PEM.
func tlsOption() (grpc.DialOption, error) {
	if os.Getenv("CORE_PEER_TLS_ENABLED") != "true" {
		return grpc.WithInsecure(), nil
	}
	read := func(env string, b64 bool) ([]byte, error) {
		data, err := ioutil.ReadFile(os.Getenv(env))
		if err != nil || !b64 {
			return data, err
		}
		return base64.StdEncoding.DecodeString(string(data))
	}
	keyPEM, err := read("CORE_TLS_CLIENT_KEY_PATH", true)
	if err != nil {
		return nil, err
	}
	certPEM, err := read("CORE_TLS_CLIENT_CERT_PATH", true)
	if err != nil {
		return nil, err
	}
	rootPEM, err := read("CORE_PEER_TLS_ROOTCERT_FILE", false)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootPEM)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots,
		ServerName: os.Getenv("CORE_PEER_TLS_SERVERHOSTOVERRIDE")}
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg)), nil
}

func main() {
	address := flag.String("peer.address", os.Getenv("CORE_PEER_ADDRESS"), "the peer's chaincode address")
	flag.Parse()
	name := os.Getenv("CORE_CHAINCODE_ID_NAME")
	if *address == "" || name == "" {
		log.Fatalf("need -peer.address and CORE_CHAINCODE_ID_NAME")
	}
	security, err := tlsOption()
	if err != nil {
		log.Fatalf("chaincode TLS: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	conn, err := grpc.DialContext(ctx, *address, security, grpc.WithBlock())
	cancel()
	if err != nil {
		log.Fatalf("connect to peer %s: %v", *address, err)
	}
	// Registers as Fabric's Go shim does: a fabric-cpp peer gives GOLANG runtimes no launch
	// secret (docs/chaincode.md).
	stream, err := pb.NewChaincodeSupportClient(conn).Register(context.Background())
	if err != nil {
		log.Fatalf("register stream: %v", err)
	}
	h := &handler{stream: stream, waiting: map[string]chan *pb.ChaincodeMessage{}}
	id, _ := proto.Marshal(&pb.ChaincodeID{Name: name})
	if err := h.send(&pb.ChaincodeMessage{Type: pb.ChaincodeMessage_REGISTER, Payload: id}); err != nil {
		log.Fatalf("send REGISTER: %v", err)
	}
	log.Printf("go getput %s registering with %s", name, *address)
	err = h.serve()
	log.Fatalf("peer stream ended: %v", err)
}
