// Replacement for ankerl/unordered_dense.h (not packaged by Debian): the
// names mediasoup uses, mapped onto the standard unordered containers, which
// give the semantics the worker relies on (lookup, insert, erase while
// iterating; no reference stability is assumed by code written for ankerl).
// One difference: ankerl iterates in insertion order until an erase, std in
// hash order. The worker only uses that order for lists in dumps, which
// mediasoup's own test suite compares without regard to order.
#ifndef DIEMCAU_ANKERL_UNORDERED_DENSE_SHIM_H
#define DIEMCAU_ANKERL_UNORDERED_DENSE_SHIM_H

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T, class Enable = void>
	struct hash : std::hash<T>
	{
		using is_avalanching = void;
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<
	  class Key,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
