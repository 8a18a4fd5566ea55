// libsrtp 3 API on top of Debian's libsrtp2 (2.5), for the mediasoup worker.
//
// mediasoup 3.27 is written against libsrtp 3: opaque policy handles built
// through setters, size_t lengths, separate input/output buffers,
// srtp_stream_remove() and two new error codes. Debian only packages
// libsrtp2, whose srtp.h we include under this same name. Rather than
// patching mediasoup's sources, this header declares the libsrtp 3 calls the
// worker makes as C++ overloads (srtp3_compat.cpp implements them with the
// libsrtp 2 calls), so the worker sources compile unchanged.
#ifndef DIEMCAU_SRTP3_COMPAT_H
#define DIEMCAU_SRTP3_COMPAT_H

// libsrtp 2 names its policy struct `srtp_policy_t`; libsrtp 3 uses that name
// for the opaque handle. Only the C++ spelling changes, not the C symbols.
#define srtp_policy_t srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

#include <cstddef>
#include <cstdint>

// Error codes added by libsrtp 3 (same values as there).
inline constexpr srtp_err_status_t srtp_err_status_buffer_small{ static_cast<srtp_err_status_t>(28) };
inline constexpr srtp_err_status_t srtp_err_status_cryptex_err{ static_cast<srtp_err_status_t>(29) };

struct diemcau_srtp3_policy;
using srtp_policy_t = diemcau_srtp3_policy*;

srtp_err_status_t srtp_policy_create(srtp_policy_t* policy);
void srtp_policy_destroy(srtp_policy_t policy);
srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc);
srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile);
srtp_err_status_t srtp_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen);
srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow);
srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t windowSize);

srtp_err_status_t srtp_create(srtp_t* session, srtp_policy_t policy);

srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex);
srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen);
srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex);
srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen);

srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc);

#endif
