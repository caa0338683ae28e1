"""pacer.audio"""
