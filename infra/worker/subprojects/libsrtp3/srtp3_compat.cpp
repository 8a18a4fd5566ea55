// Implements the libsrtp 3 calls declared in include/srtp.h with libsrtp 2.
#include "srtp.h"
#include <climits>
#include <cstring>
#include <new>

struct diemcau_srtp3_policy
{
	srtp2_policy_t policy{};
	// libsrtp 2 reads the master key immediately followed by the salt.
	uint8_t keyAndSalt[SRTP_MAX_KEY_LEN]{};
};

srtp_err_status_t srtp_policy_create(srtp_policy_t* policy)
{
	if (!policy)
		return srtp_err_status_bad_param;

	*policy = new (std::nothrow) diemcau_srtp3_policy();

	return *policy ? srtp_err_status_ok : srtp_err_status_alloc_fail;
}

void srtp_policy_destroy(srtp_policy_t policy)
{
	delete policy;
}

srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
	if (!policy)
		return srtp_err_status_bad_param;

	policy->policy.ssrc = ssrc;

	return srtp_err_status_ok;
}

srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
	if (!policy)
		return srtp_err_status_bad_param;

	const srtp_err_status_t err =
	  srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);
}

srtp_err_status_t srtp_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	// A single key without MKI is all the worker uses.
	if (!policy || !key || !salt || mki || mkiLen != 0 || keyLen + saltLen > SRTP_MAX_KEY_LEN)
		return srtp_err_status_bad_param;

	std::memcpy(policy->keyAndSalt, key, keyLen);
	std::memcpy(policy->keyAndSalt + keyLen, salt, saltLen);
	policy->policy.key = policy->keyAndSalt;

	return srtp_err_status_ok;
}

srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
	if (!policy)
		return srtp_err_status_bad_param;

	policy->policy.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t windowSize)
{
	if (!policy)
		return srtp_err_status_bad_param;

	policy->policy.window_size = windowSize;

	return srtp_err_status_ok;
}

srtp_err_status_t srtp_create(srtp_t* session, srtp_policy_t policy)
{
	if (!policy || !policy->policy.key)
		return srtp_err_status_bad_param;

	// libsrtp 2 copies the keys while creating the session.
	return srtp_create(session, &policy->policy);
}

namespace
{
	using V2Transform = srtp_err_status_t (*)(srtp_t, void*, int*);

	// libsrtp 2 works in place on an int length: copy into the output buffer
	// when the caller gave a separate one, after checking it can hold
	// `extra` more bytes (the trailer protect may append).
	srtp_err_status_t Transform(
	  V2Transform fn,
	  srtp_t ctx,
	  const uint8_t* in,
	  size_t inLen,
	  uint8_t* out,
	  size_t* outLen,
	  size_t extra)
	{
		if (!in || !out || !outLen || inLen > INT_MAX - extra)
			return srtp_err_status_bad_param;

		if (*outLen < inLen + extra)
			return srtp_err_status_buffer_small;

		if (out != in)
			std::memmove(out, in, inLen);

		int len = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, out, &len);

		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);

		return err;
	}
} // namespace

srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return Transform(
	  static_cast<V2Transform>(srtp_protect), ctx, rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TRAILER_LEN);
}

srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return Transform(static_cast<V2Transform>(srtp_unprotect), ctx, srtp, srtpLen, rtp, rtpLen, 0);
}

srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	// SRTCP also appends the 4 byte E flag + index word.
	return Transform(
	  static_cast<V2Transform>(srtp_protect_rtcp),
	  ctx,
	  rtcp,
	  rtcpLen,
	  srtcp,
	  srtcpLen,
	  SRTP_MAX_TRAILER_LEN + 4);
}

srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return Transform(
	  static_cast<V2Transform>(srtp_unprotect_rtcp), ctx, srtcp, srtcpLen, rtcp, rtcpLen, 0);
}

srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
