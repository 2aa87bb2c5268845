package jmistral.chat;

/** mistral-common validation modes: SERVING also requires call ids and a result for every call. */
public enum ValidationMode { TEST, SERVING }
